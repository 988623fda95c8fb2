package org.fewner.llm.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Rotary-embedding frequency scaling ({@code rope_scaling}, or transformers v5 {@code
 * rope_parameters}). Supported types: "default" (none), "linear" (inverse frequencies divided by
 * {@code factor}) and "llama3" (wavelength-dependent, with {@code low_freq_factor}, {@code
 * high_freq_factor}, {@code original_max_position_embeddings}). Others are refused when the config
 * is read.
 */
public record RopeScaling(
        String type,
        double factor,
        double lowFreqFactor,
        double highFreqFactor,
        int originalMaxPositionEmbeddings) {

    public static final RopeScaling NONE = new RopeScaling("default", 1.0, 1.0, 1.0, 0);

    static RopeScaling parse(ConfigReader r) {
        JsonNode n = r.raw().get("rope_scaling");
        if (n == null || n.isNull()) {
            n = r.raw().get("rope_parameters");
        }
        if (n == null || n.isNull()) {
            return NONE;
        }
        String type =
                n.has("rope_type") ? n.get("rope_type").asText() : n.path("type").asText("default");
        switch (type) {
            case "default":
                return NONE;
            case "linear":
                return new RopeScaling("linear", need(r, n, "factor"), 1, 1, 0);
            case "llama3":
                return new RopeScaling(
                        "llama3",
                        need(r, n, "factor"),
                        need(r, n, "low_freq_factor"),
                        need(r, n, "high_freq_factor"),
                        (int) need(r, n, "original_max_position_embeddings"));
            default:
                throw r.error(
                        "rope_scaling type '"
                                + type
                                + "' is not supported (supported: default, linear, llama3)");
        }
    }

    private static double need(ConfigReader r, JsonNode n, String field) {
        if (!n.has(field) || !n.get(field).isNumber()) {
            throw r.error("rope_scaling needs a numeric '" + field + "'");
        }
        double v = n.get(field).asDouble();
        if (!(v > 0) || Double.isInfinite(v)) {
            throw r.error("rope_scaling '" + field + "' must be above 0, found " + n.get(field));
        }
        return n.get(field).asDouble();
    }

    /**
     * Inverse frequencies 1 / θ^(2i/d), i = 0 … d/2−1, with this scaling applied (HF's {@code
     * _compute_default_rope_parameters}, {@code _compute_linear_scaling_rope_parameters}, {@code
     * _compute_llama3_parameters}).
     */
    public double[] inverseFrequencies(int headDim, double theta) {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        }
        switch (type) {
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= factor;
                }
            }
            case "llama3" -> {
                double lowWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
                double highWavelen = originalMaxPositionEmbeddings / highFreqFactor;
                for (int i = 0; i < inv.length; i++) {
                    double wavelen = 2 * Math.PI / inv[i];
                    if (wavelen > lowWavelen) {
                        inv[i] = inv[i] / factor;
                    } else if (wavelen >= highWavelen) {
                        double s =
                                (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
                                        / (highFreqFactor - lowFreqFactor);
                        inv[i] = (1 - s) * inv[i] / factor + s * inv[i];
                    }
                }
            }
            default -> {}
        }
        return inv;
    }
}
