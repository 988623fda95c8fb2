package org.fewner.llm.lora;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.config.ModelConfig;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.nn.LinearLayer;
import org.fewner.llm.tensors.SafeTensors;
import org.fewner.llm.tensors.TensorSource;

/**
 * The linear layers of a base model by Hugging Face module name, with their shapes: what an adapter
 * can target and must fit. Built from a loaded {@link Backbone} or, without loading any weights,
 * from a model directory's {@code config.json} and safetensors headers.
 *
 * <p>Names are compared in canonical form (without the task model's {@code bert.} / {@code model.}
 * prefix), so an adapter written for {@code BertForMaskedLM} ({@code bert.encoder.layer.0...}) fits
 * a {@code BertModel} checkpoint ({@code encoder.layer.0...}) and the other way round, as in the
 * reference.
 *
 * @param config the base model's config
 * @param modules module name (as the model names it) → {out, in}, in model order
 */
public record LinearModules(ModelConfig config, Map<String, int[]> modules) {

    public LinearModules {
        modules = Collections.unmodifiableMap(new LinkedHashMap<>(modules));
    }

    /** "bert" or "decoder". */
    public String kind() {
        return config instanceof BertConfig ? "bert" : "decoder";
    }

    /** The task-model prefix of base-model modules: {@code bert.} or {@code model.}. */
    public String basePrefix() {
        return config instanceof BertConfig ? "bert." : "model.";
    }

    /**
     * The output layer's canonical name: {@code cls.predictions.decoder} (BERT MLM) or {@code
     * lm_head}.
     */
    public String outputLayer() {
        return config instanceof BertConfig ? "cls.predictions.decoder" : "lm_head";
    }

    /** Strips the {@code bert.} / {@code model.} prefix. */
    public String canonical(String name) {
        return name.startsWith(basePrefix()) ? name.substring(basePrefix().length()) : name;
    }

    /**
     * The name PEFT gives a canonical module when the wrapped model does ({@code prefixed}) or does
     * not use the prefix.
     */
    public String peftName(String canonical, boolean prefixed) {
        String root = canonical.split("\\.", 2)[0];
        boolean inBase =
                config instanceof BertConfig
                        ? root.equals("embeddings")
                                || root.equals("encoder")
                                || root.equals("pooler")
                        : root.equals("embed_tokens")
                                || root.equals("layers")
                                || root.equals("norm");
        return prefixed && inBase ? basePrefix() + canonical : canonical;
    }

    /** Whether the model's own names carry the prefix. */
    public boolean prefixed() {
        return modules.keySet().stream().anyMatch(n -> n.startsWith(basePrefix()));
    }

    /** Canonical name → model name. */
    public Map<String, String> byCanonical() {
        Map<String, String> m = new LinkedHashMap<>();
        modules.keySet().forEach(n -> m.put(canonical(n), n));
        return m;
    }

    /**
     * Whether a canonical name is a linear layer of the architecture that FewNER's backbones do not
     * compute (BERT's {@code pooler.dense}: no hidden state or logit depends on it). An adapter's
     * tensors for it are skipped with a warning, as PEFT's "all-linear" on a {@code BertModel}
     * includes it.
     */
    public boolean isUncomputed(String canonical) {
        return config instanceof BertConfig
                && canonical.equals("pooler.dense")
                && !byCanonical().containsKey(canonical);
    }

    /** Whether a canonical name is an embedding table (which FewNER's LoRA does not support). */
    public boolean isEmbedding(String canonical) {
        return config instanceof BertConfig
                ? canonical.startsWith("embeddings.")
                : canonical.equals("embed_tokens");
    }

    /** The linear layers of a loaded backbone. */
    public static LinearModules of(Backbone backbone) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (Map.Entry<String, LinearLayer> e : backbone.linearLayers().entrySet()) {
            m.put(e.getKey(), new int[] {e.getValue().outFeatures(), e.getValue().inFeatures()});
        }
        return new LinearModules(backbone.config(), m);
    }

    /**
     * The linear layers of a model directory, from its config and tensor headers (no weights read):
     * every 2-D {@code *.weight} that is not an embedding table, plus a tied output layer ({@code
     * lm_head} when {@code tie_word_embeddings} leaves it out of the checkpoint; BERT's MLM decoder
     * when the MLM head is present).
     */
    public static LinearModules of(Path modelDir) {
        ModelConfig config = ModelConfigs.read(modelDir);
        Map<String, int[]> m = new TreeMap<>();
        try (TensorSource src = SafeTensors.openModelDirectory(modelDir)) {
            LinearModules probe = new LinearModules(config, Map.of());
            String embedding = null;
            boolean mlmHead = false;
            for (String name : src.names()) {
                if (!name.endsWith(".weight")) {
                    continue;
                }
                long[] shape = src.info(name).shape();
                String module = name.substring(0, name.length() - ".weight".length());
                String c = probe.canonical(module);
                if (c.equals("embed_tokens") || c.equals("embeddings.word_embeddings")) {
                    embedding = name;
                }
                if (c.equals("cls.predictions.transform.dense")) {
                    mlmHead = true;
                }
                if (shape.length != 2 || probe.isEmbedding(c)) {
                    continue;
                }
                m.put(module, new int[] {(int) shape[0], (int) shape[1]});
            }
            if (embedding != null) {
                long[] e = src.info(embedding).shape();
                String out = probe.outputLayer();
                boolean needed = config instanceof BertConfig ? mlmHead : true;
                if (needed && !m.containsKey(out)) {
                    m.put(out, new int[] {(int) e[0], (int) e[1]});
                }
            }
        }
        return new LinearModules(config, m);
    }
}
