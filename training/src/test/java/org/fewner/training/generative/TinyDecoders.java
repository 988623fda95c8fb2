package org.fewner.training.generative;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.common.Json;
import org.fewner.llm.decoder.RandomModelWriter;
import org.junit.jupiter.api.Assumptions;

/** Tiny random decoders for the generative tests. */
final class TinyDecoders {
    private TinyDecoders() {}

    /** The shared SmolLM2 tokenizer folder, or a skipped test when ../shared is absent. */
    static Path smolTokenizerDir() {
        Path d =
                Path.of(
                        System.getProperty("fewner.shared", "../../shared"),
                        "models",
                        "smollm2-135m-tokenizer");
        Assumptions.assumeTrue(
                Files.isRegularFile(d.resolve("tokenizer.json")),
                "needs ../shared/models/smollm2-135m-tokenizer (absent here)");
        return d;
    }

    /**
     * The first {@code n} sentences of ../shared's CoNLL-2003 {@code eng.train} written to {@code
     * out} (blank-line separated, {@code -DOCSTART-} skipped), or a skipped test when it is absent.
     */
    static Path conllTrainHead(int n, Path out) throws Exception {
        Path f =
                Path.of(
                        System.getProperty("fewner.shared", "../../shared"),
                        "datasets",
                        "conll2003",
                        "eng.train");
        Assumptions.assumeTrue(
                Files.isRegularFile(f),
                "needs ../shared/datasets/conll2003/eng.train (absent here)");
        StringBuilder sb = new StringBuilder();
        int kept = 0;
        for (String block : Files.readString(f).split("\\n\\s*\\n")) {
            if (kept == n) {
                break;
            }
            if (block.isBlank() || block.startsWith("-DOCSTART-")) {
                continue;
            }
            sb.append(block.strip()).append("\n\n");
            kept++;
        }
        Files.writeString(out, sb);
        return out;
    }

    /** A llama decoder of the SmolLM2 vocabulary and tokenizer, tiny otherwise. */
    static Path smol(Path dir, int hidden, int layers, double std, long seed) throws Exception {
        Path tokDir = smolTokenizerDir();
        ObjectNode c = (ObjectNode) Json.readTree(tokDir.resolve("config.json"));
        c.put("hidden_size", hidden)
                .put("num_hidden_layers", layers)
                .put("num_attention_heads", 4)
                .put("num_key_value_heads", 2)
                .put("intermediate_size", 2 * hidden)
                .put("head_dim", hidden / 4)
                .put("max_position_embeddings", 512)
                .put("initializer_range", std);
        Files.createDirectories(dir);
        RandomModelWriter.write(c, seed, false, dir, tokDir.resolve("tokenizer.json"));
        return dir;
    }

    /** A qwen2 decoder of 32 token ids and no tokenizer (gradient tests feed ids directly). */
    static Path noTokenizer(Path dir) throws Exception {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("model_type", "qwen2");
        n.putArray("architectures").add("Qwen2ForCausalLM");
        n.put("vocab_size", 32)
                .put("hidden_size", 16)
                .put("intermediate_size", 24)
                .put("num_hidden_layers", 2)
                .put("num_attention_heads", 4)
                .put("num_key_value_heads", 2)
                .put("max_position_embeddings", 64)
                .put("rms_norm_eps", 1e-5)
                .put("rope_theta", 10000.0)
                .put("tie_word_embeddings", true)
                .put("initializer_range", 0.3)
                .put("eos_token_id", 1);
        Files.createDirectories(dir);
        RandomModelWriter.write(n, 5, true, dir, null);
        return dir;
    }
}
