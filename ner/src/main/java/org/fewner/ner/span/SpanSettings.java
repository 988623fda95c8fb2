package org.fewner.ner.span;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;

/**
 * The span adapter's settings: the {@code fewner_span} object of {@code adapter_config.json},
 * written by the trainer and read by {@link SpanMethod} through this one record ({@link #toJson},
 * {@link #fromJson}), with <b>one</b> set of defaults ({@link #DEFAULTS}).
 *
 * <p>A key that is absent from the file takes its value from {@link #DEFAULTS}; a key that is
 * present always wins. Every adapter the trainer has written, and every shipped one ({@code
 * default}, {@code default-uncased}, {@code results/adapters/default-uncased-heldout}), stores all
 * of the keys below, so the defaults change nothing for them (the README's {@code annotate} run and
 * the evaluation results stay as they are). How the defaults were chosen, against what the two old
 * code paths did:
 *
 * <ul>
 *   <li>{@code detect_layer} 12, {@code type_layer} 9, {@code max_width} 8, {@code rejection}
 *       {@code learnt}, {@code margin} 0.5: the same in the old writer and reader.
 *   <li>{@code threshold} 0.15: the trainer's default ({@code SpanTrainingConfig}); the old
 *       reader's 0.5 was never used (the trainer has always written the key).
 *   <li>{@code typing} {@code projection}: the old reader's default (the trainer has always written
 *       the key: {@code mixed} when it trains the typing projection, else {@code mean}).
 *   <li>{@code mix} 0.4, {@code mean_margin} 0.3, {@code proj_margin} 0.6, {@code length_bonus}
 *       0.05, {@code similarity_weight} 4: the decoding settings the writer stores (chosen on
 *       Few-NERD test episodes 500-699 / 500-599, which the reported figures do not include:
 *       training/docs/span.md). The old reader defaulted to mix 0.5, projection margin 0.5 and no
 *       similarity weight, but these keys were never absent from a {@code mixed} adapter except
 *       {@code similarity_weight} in adapters written before 2026-12-05 evening: those now decode
 *       with the additive key {@code p + 4·s} (pass {@code -O similarity-weight=W} for another
 *       weight). Only {@code typing: mixed} reads these five.
 * </ul>
 *
 * <p>Keys this record does not know are ignored when reading; {@code note} and {@code
 * settings_note} (free text) are kept.
 *
 * @param detectLayer layer of the detection head's input
 * @param typeLayer layer of the typing representation
 * @param maxWidth longest span in words
 * @param threshold detection probability at or above which a span is a candidate
 * @param rejection projection typing's rejection: {@code learnt}, {@code margin} or {@code off}
 * @param margin projection typing's cosine threshold when {@code rejection} is {@code margin}
 * @param typing {@code mixed} ({@link SpanDecoder}), {@code projection} (the heads' own typing) or
 *     {@code mean} (no trained typing)
 * @param mix weight of the projection cosine in the mixed score
 * @param meanMargin smallest best cosine among the mean-vector prototypes (mixed typing)
 * @param projMargin smallest best cosine among the projection prototypes (mixed typing)
 * @param lengthBonus selection key bonus per word of width
 * @param similarityWeight weight of the typing score in the additive selection key
 * @param note free text (what the rank-1 LoRA is for)
 * @param settingsNote free text: why settings were changed by hand after training (may be null)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
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
    "note",
    "settings_note"
})
public record SpanSettings(
        @JsonProperty("detect_layer") int detectLayer,
        @JsonProperty("type_layer") int typeLayer,
        @JsonProperty("max_width") int maxWidth,
        @JsonProperty("threshold") double threshold,
        @JsonProperty("rejection") String rejection,
        @JsonProperty("margin") double margin,
        @JsonProperty("typing") String typing,
        @JsonProperty("mix") double mix,
        @JsonProperty("mean_margin") double meanMargin,
        @JsonProperty("proj_margin") double projMargin,
        @JsonProperty("length_bonus") double lengthBonus,
        @JsonProperty("similarity_weight") double similarityWeight,
        @JsonProperty("note") String note,
        @JsonProperty("settings_note") String settingsNote) {

    /** Key of the span settings in {@code adapter_config.json}. */
    public static final String CONFIG_KEY = "fewner_span";

    /** What the rank-1 LoRA of a span adapter is for (the trainer's {@code note}). */
    public static final String NOTE =
            "frozen backbone; the rank-1 LoRA (B = 0) only makes the directory a valid PEFT adapter";

    /** The one set of defaults (why each: the class comment). */
    public static final SpanSettings DEFAULTS =
            new SpanSettings(
                    12,
                    9,
                    8,
                    0.15,
                    "learnt",
                    0.5,
                    "projection",
                    0.4,
                    0.3,
                    0.6,
                    0.05,
                    4.0,
                    null,
                    null);

    /** Reads the settings from JSON: absent (or null) keys take {@link #DEFAULTS}' values. */
    @JsonCreator
    static SpanSettings create(
            @JsonProperty("detect_layer") Integer detectLayer,
            @JsonProperty("type_layer") Integer typeLayer,
            @JsonProperty("max_width") Integer maxWidth,
            @JsonProperty("threshold") Double threshold,
            @JsonProperty("rejection") String rejection,
            @JsonProperty("margin") Double margin,
            @JsonProperty("typing") String typing,
            @JsonProperty("mix") Double mix,
            @JsonProperty("mean_margin") Double meanMargin,
            @JsonProperty("proj_margin") Double projMargin,
            @JsonProperty("length_bonus") Double lengthBonus,
            @JsonProperty("similarity_weight") Double similarityWeight,
            @JsonProperty("note") String note,
            @JsonProperty("settings_note") String settingsNote) {
        SpanSettings d = DEFAULTS;
        return new SpanSettings(
                detectLayer != null ? detectLayer : d.detectLayer,
                typeLayer != null ? typeLayer : d.typeLayer,
                maxWidth != null ? maxWidth : d.maxWidth,
                threshold != null ? threshold : d.threshold,
                rejection != null ? rejection : d.rejection,
                margin != null ? margin : d.margin,
                typing != null ? typing : d.typing,
                mix != null ? mix : d.mix,
                meanMargin != null ? meanMargin : d.meanMargin,
                projMargin != null ? projMargin : d.projMargin,
                lengthBonus != null ? lengthBonus : d.lengthBonus,
                similarityWeight != null ? similarityWeight : d.similarityWeight,
                note != null ? note : d.note,
                settingsNote != null ? settingsNote : d.settingsNote);
    }

    /**
     * The settings a trainer writes: the heads' own ({@code heads}), the typing used at inference,
     * the default decoding settings and the {@link #NOTE}.
     */
    public static SpanSettings forHeads(SpanHeads.Config heads, String typing) {
        SpanSettings d = DEFAULTS;
        return new SpanSettings(
                heads.detectLayer(),
                heads.typeLayer(),
                heads.maxWidth(),
                heads.threshold(),
                heads.rejection(),
                heads.margin(),
                typing,
                d.mix,
                d.meanMargin,
                d.projMargin,
                d.lengthBonus,
                d.similarityWeight,
                NOTE,
                null);
    }

    /** The settings as a JSON object (the {@code fewner_span} value). */
    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }

    /**
     * The settings from a {@code fewner_span} object ({@code where} names it in messages).
     *
     * @throws FewNerException when {@code node} is not an object or a value has the wrong type
     */
    public static SpanSettings fromJson(JsonNode node, Path where) {
        if (node == null || !node.isObject()) {
            throw new FewNerException(
                    where
                            + ": no '"
                            + CONFIG_KEY
                            + "' object: not a span-method adapter (train one with ./fewner train --method span)");
        }
        try {
            return Json.MAPPER.treeToValue(node, SpanSettings.class);
        } catch (JsonProcessingException e) {
            throw new FewNerException(
                    where + ": '" + CONFIG_KEY + "': " + e.getOriginalMessage(), e);
        }
    }

    /** The heads' settings, with the prediction-time overrides applied. */
    public SpanHeads.Config heads(SpanMethod.Overrides o) {
        return new SpanHeads.Config(
                detectLayer,
                o.typeLayer() != null ? o.typeLayer() : typeLayer,
                maxWidth,
                o.threshold() != null ? o.threshold() : threshold,
                o.rejection() != null ? o.rejection() : rejection,
                o.margin() != null ? o.margin() : margin);
    }

    /** The typing used, with the override applied. */
    public String typing(SpanMethod.Overrides o) {
        return o.typing() != null ? o.typing() : typing;
    }

    /** The mixed typing's decoding settings, with the overrides applied. */
    @JsonIgnore
    public SpanDecoder.Settings decoding(SpanMethod.Overrides o) {
        return new SpanDecoder.Settings(
                o.mix() != null ? o.mix() : mix,
                o.meanMargin() != null ? o.meanMargin() : meanMargin,
                o.projMargin() != null ? o.projMargin() : projMargin,
                o.lengthBonus() != null ? o.lengthBonus() : lengthBonus,
                o.similarityWeight() != null ? o.similarityWeight() : similarityWeight);
    }
}
