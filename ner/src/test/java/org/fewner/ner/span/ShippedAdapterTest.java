package org.fewner.ner.span;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;

/** The adapters shipped for default and default-uncased: on the class path, small, complete. */
class ShippedAdapterTest {
    @Test
    void defaultUncasedIsShippedAndReadable() throws Exception {
        check("default-uncased");
    }

    @Test
    void defaultCasedIsShippedAndReadable() throws Exception {
        check("default");
    }

    static void check(String model) throws Exception {
        Path dir = SpanMethod.shippedAdapter(model);
        assertNotNull(dir, "no adapter shipped for " + model);
        for (String f : SpanMethod.SHIPPED_FILES) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
            assertTrue(Files.size(dir.resolve(f)) <= 2 * 1024 * 1024, f + " is over 2 MB");
        }
        SpanHeads h = SpanMethod.readHeads(dir, SpanMethod.Overrides.NONE);
        assertTrue(h.hasProjection());
        assertEquals(9, h.config().typeLayer());
        JsonNode t = Json.readTree(dir.resolve("training.json"));
        assertEquals(model, t.path("model").asText());
        // the shipped decoding: mixed typing with the additive selection key
        assertNotNull(SpanMethod.readDecoding(dir, SpanMethod.Overrides.NONE).similarityWeight());
        assertTrue(t.path("source_files").size() > 0);
        assertTrue(t.path("command").asText().startsWith("fewner train "));
    }
}
