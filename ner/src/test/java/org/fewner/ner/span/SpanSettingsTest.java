package org.fewner.ner.span;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;

/**
 * The span adapter's settings: one record written and read by the same code, one set of defaults.
 */
class SpanSettingsTest {
    private static final Path WHERE = Path.of("adapter_config.json");

    @Test
    void writtenSettingsReadBackEqual() throws Exception {
        SpanSettings s =
                SpanSettings.forHeads(new SpanHeads.Config(11, 7, 6, 0.2, "margin", 0.4), "mixed");
        ObjectNode json = s.toJson();
        assertEquals(s, SpanSettings.fromJson(json, WHERE));
        // through text too, as adapter_config.json is written and read
        assertEquals(s, SpanSettings.fromJson(Json.MAPPER.readTree(Json.pretty(json)), WHERE));
        SpanSettings noted =
                new SpanSettings(
                        12,
                        9,
                        8,
                        0.03,
                        "learnt",
                        0.5,
                        "mixed",
                        0.4,
                        0.3,
                        0.5,
                        0.05,
                        4.0,
                        "n",
                        "hand-set");
        assertEquals(noted, SpanSettings.fromJson(noted.toJson(), WHERE));
    }

    @Test
    void theWriterStoresEveryKeyAndTheDefaultsAreWhatItWrites() {
        ObjectNode json =
                SpanSettings.forHeads(new SpanHeads.Config(12, 9, 8, 0.15, "learnt", 0.5), "mixed")
                        .toJson();
        for (String k :
                java.util.List.of(
                        "detect_layer",
                        "type_layer",
                        "max_width",
                        "threshold",
                        "rejection",
                        "margin",
                        "typing",
                        "mix",
                        "mean_margin",
                        "proj_margin",
                        "length_bonus",
                        "similarity_weight",
                        "note")) {
            assertTrue(json.has(k), k);
        }
        assertTrue(!json.has("settings_note"));
        assertEquals(0.4, json.get("mix").asDouble());
        assertEquals(0.6, json.get("proj_margin").asDouble());
        // an empty object reads as the defaults: the same values the writer stores
        SpanSettings empty = SpanSettings.fromJson(Json.MAPPER.createObjectNode(), WHERE);
        assertEquals(SpanSettings.DEFAULTS, empty);
        SpanDecoder.Settings d = empty.decoding(SpanMethod.Overrides.NONE);
        assertEquals(0.4, d.mix());
        assertEquals(0.3, d.meanMargin());
        assertEquals(0.6, d.projMargin());
        assertEquals(0.05, d.lengthBonus());
        assertEquals(4.0, d.similarityWeight());
        assertEquals(0.15, empty.threshold());
        assertEquals("projection", empty.typing());
        assertNull(empty.note());
    }

    @Test
    void shippedConfigsReadAsStored() throws Exception {
        for (String model : java.util.List.of("default", "default-uncased")) {
            Path dir = SpanMethod.shippedAdapter(model);
            SpanSettings s = SpanMethod.readSettings(dir);
            assertEquals(
                    new SpanSettings(
                            12,
                            9,
                            8,
                            0.15,
                            "learnt",
                            0.5,
                            "mixed",
                            0.4,
                            0.3,
                            0.6,
                            0.05,
                            4.0,
                            SpanSettings.NOTE,
                            null),
                    s,
                    model);
            // the stored object is exactly what the record writes
            JsonNode stored =
                    Json.readTree(dir.resolve("adapter_config.json")).get(SpanSettings.CONFIG_KEY);
            assertEquals(stored, s.toJson(), model);
        }
        // the held-out adapter (results/, hand-set threshold and projection margin, a note why)
        Path heldOut = Path.of("../results/adapters/default-uncased-heldout/adapter_config.json");
        if (Files.isRegularFile(heldOut)) {
            JsonNode stored = Json.readTree(heldOut).get(SpanSettings.CONFIG_KEY);
            SpanSettings s = SpanSettings.fromJson(stored, heldOut);
            assertEquals(0.03, s.threshold());
            assertEquals(0.5, s.projMargin());
            assertEquals(0.4, s.mix());
            assertEquals(4.0, s.similarityWeight());
            assertEquals("mixed", s.typing());
            assertTrue(s.settingsNote().startsWith("threshold 0.03"));
            assertEquals(stored, s.toJson());
        }
    }

    @Test
    void overridesWinAndBadInputIsNamed() {
        SpanSettings s = SpanSettings.DEFAULTS;
        SpanMethod.Overrides o =
                new SpanMethod.Overrides(0.3, "off", 0.2, 6, "mixed", 0.5, 0.1, 0.2, 0.0, 2.0);
        assertEquals(new SpanHeads.Config(12, 6, 8, 0.3, "off", 0.2), s.heads(o));
        assertEquals(new SpanDecoder.Settings(0.5, 0.1, 0.2, 0.0, 2.0), s.decoding(o));
        FewNerException e =
                assertThrows(FewNerException.class, () -> SpanSettings.fromJson(null, WHERE));
        assertTrue(e.getMessage().contains("no 'fewner_span' object"), e.getMessage());
        ObjectNode bad = Json.MAPPER.createObjectNode().put("mix", "lots");
        e = assertThrows(FewNerException.class, () -> SpanSettings.fromJson(bad, WHERE));
        assertTrue(e.getMessage().startsWith("adapter_config.json: 'fewner_span'"), e.getMessage());
    }
}
