package org.fewner.uimaannotator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fewner.common.Json;
import org.fewner.llm.decoder.RandomModelWriter;
import org.fewner.llm.lora.LinearModules;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.lora.LoraConfig;

/** Tiny random BERT models and LoRA adapters for tests (seconds to load, no download). */
public final class TinyModels {
    private TinyModels() {}

    /** Words of the tiny vocabulary (besides the special tokens and single characters). */
    static final List<String> WORDS =
            List.of(
                    "the", "of", "in", "and", "to", "was", "born", "visited", "met", "city",
                    "paris", "london", "berlin", "tokyo", "marie", "curie", "john", "smith", "acme",
                    "corp", "un", "said", "today", ".", ",");

    /**
     * Writes a random BERT ({@code hidden} wide, 2 layers, {@code positions} positions) with a
     * small uncased WordPiece vocabulary into {@code dir}.
     */
    public static Path bert(Path dir, int hidden, int positions, long seed) throws IOException {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(WORDS);
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.add(String.valueOf(c));
            vocab.add("##" + c);
        }
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "bert");
        c.putArray("architectures").add("BertForMaskedLM");
        c.put("vocab_size", vocab.size());
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", 2);
        c.put("num_attention_heads", 2);
        c.put("intermediate_size", hidden * 2);
        c.put("hidden_act", "gelu");
        c.put("max_position_embeddings", positions);
        c.put("type_vocab_size", 2);
        c.put("layer_norm_eps", 1e-12);
        c.put("initializer_range", 0.2);
        Files.createDirectories(dir);
        RandomModelWriter.write(c, seed, true, dir, null);
        Files.write(dir.resolve("vocab.txt"), vocab);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": true}");
        return dir;
    }

    /** Writes a random LoRA adapter (query, value) for the model in {@code modelDir}. */
    public static Path adapter(Path modelDir, Path out, long seed) {
        LoraAdapter a =
                LoraAdapter.init(
                        LinearModules.of(modelDir),
                        LoraConfig.of(2, 4, 0, List.of("query", "value"), false),
                        seed,
                        LoraAdapter.Init.RANDOM,
                        0.3);
        a.write(out);
        return out;
    }
}
