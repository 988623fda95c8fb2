package org.fewner.ner.testutil;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fewner.common.Json;
import org.fewner.llm.decoder.RandomModelWriter;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;

/**
 * A tiny random BERT model directory (2 layers, hidden 16, uncased WordPiece vocabulary of a few
 * words and pieces) written with the {@code model random} machinery, for tests that must not need
 * the 400 MB model.
 */
public final class TinyBertDir {
    /** Words of the vocabulary; "unbelievable" splits into un ##believ ##able. */
    public static final List<String> WORDS =
            List.of(
                    "the",
                    "cat",
                    "sat",
                    "on",
                    "mat",
                    "john",
                    "lives",
                    "in",
                    "paris",
                    "a",
                    "dog",
                    "un",
                    "##believ",
                    "##able",
                    "berlin",
                    "is",
                    "big",
                    ".",
                    ",");

    private TinyBertDir() {}

    /** Writes the model into {@code dir} with {@code maxPositions} positions. */
    public static Path write(Path dir, int maxPositions, long seed) throws IOException {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(WORDS);
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "bert");
        c.putArray("architectures").add("BertForMaskedLM");
        c.put("vocab_size", vocab.size());
        c.put("hidden_size", 16);
        c.put("num_hidden_layers", 2);
        c.put("num_attention_heads", 4);
        c.put("intermediate_size", 32);
        c.put("hidden_act", "gelu");
        c.put("max_position_embeddings", maxPositions);
        c.put("type_vocab_size", 2);
        c.put("layer_norm_eps", 1e-12);
        c.put("initializer_range", 0.2);
        c.put("do_lower_case", true);
        Files.createDirectories(dir);
        RandomModelWriter.write(c, seed, true, dir, null);
        Files.write(dir.resolve("vocab.txt"), vocab);
        return dir;
    }

    /** Writes and loads the model on the CPU. */
    public static Backbone load(Path dir, int maxPositions) throws IOException {
        return Models.load(write(dir, maxPositions, 7), Device.cpu());
    }
}
