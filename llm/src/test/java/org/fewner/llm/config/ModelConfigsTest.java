package org.fewner.llm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigsTest {
    @TempDir Path dir;

    private static final String BERT =
            "{\"model_type\":\"bert\",\"architectures\":[\"BertForMaskedLM\"],\"vocab_size\":100,"
                    + "\"hidden_size\":32,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"intermediate_size\":64,"
                    + "\"hidden_act\":\"gelu_new\",\"layer_norm_eps\":1e-12}";
    private static final String LLAMA =
            "{\"model_type\":\"llama\",\"architectures\":[\"LlamaForCausalLM\"],\"vocab_size\":100,"
                    + "\"hidden_size\":64,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
                    + "\"intermediate_size\":128}";

    private Path file(String name, String json) throws Exception {
        Path p = dir.resolve(name + ".json");
        Files.writeString(p, json);
        return p;
    }

    private ConfigException bad(String name, String json, String part) throws Exception {
        Path p = file(name, json);
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfigs.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        return e;
    }

    private static String with(String json, String field, String value) throws Exception {
        ObjectNode n = (ObjectNode) Json.MAPPER.readTree(json);
        if (value == null) {
            n.remove(field);
        } else {
            n.set(field, Json.MAPPER.readTree(value));
        }
        return n.toString();
    }

    @Test
    void bertFieldsAndDefaults() throws Exception {
        BertConfig c = assertInstanceOf(BertConfig.class, ModelConfigs.read(file("bert", BERT)));
        assertEquals(100, c.vocabSize());
        assertEquals(8, c.headDim());
        assertEquals("gelu_new", c.hiddenAct());
        assertEquals(1e-12, c.layerNormEps());
        assertEquals(512, c.maxPositionEmbeddings());
        assertEquals(2, c.typeVocabSize());
        assertTrue(c.tieWordEmbeddings());
        // a directory holding config.json works too
        Path d = Files.createDirectories(dir.resolve("m"));
        Files.writeString(d.resolve("config.json"), BERT);
        assertEquals(c.hiddenSize(), ModelConfigs.read(d).hiddenSize());
    }

    @Test
    void decoderFieldsAndRope() throws Exception {
        DecoderConfig c =
                assertInstanceOf(DecoderConfig.class, ModelConfigs.read(file("llama", LLAMA)));
        assertEquals(2, c.groupSize());
        assertEquals(16, c.headDim());
        assertEquals(10000.0, c.ropeTheta());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(RopeScaling.NONE, c.ropeScaling());
        // transformers v5 keeps rope_theta inside rope_parameters
        DecoderConfig v5 =
                (DecoderConfig)
                        ModelConfigs.read(
                                file(
                                        "v5",
                                        with(
                                                LLAMA,
                                                "rope_parameters",
                                                "{\"rope_type\":\"default\",\"rope_theta\":500000.0}")));
        assertEquals(500000.0, v5.ropeTheta());
        DecoderConfig lin =
                (DecoderConfig)
                        ModelConfigs.read(
                                file(
                                        "lin",
                                        with(
                                                LLAMA,
                                                "rope_scaling",
                                                "{\"type\":\"linear\",\"factor\":2.0}")));
        assertEquals("linear", lin.ropeScaling().type());
        double[] inv = lin.ropeScaling().inverseFrequencies(16, 10000);
        assertEquals(0.5, inv[0], 1e-15);
        assertEquals(Math.pow(10000, -2.0 / 16) / 2, inv[1], 1e-15);
    }

    @Test
    void qwenBiasesAndSlidingWindow() throws Exception {
        String q =
                with(
                        with(LLAMA, "model_type", "\"qwen2\""),
                        "architectures",
                        "[\"Qwen2ForCausalLM\"]");
        DecoderConfig c = (DecoderConfig) ModelConfigs.read(file("qwen", q));
        assertTrue(c.attentionBias());
        assertFalse(c.outputBias());
        assertEquals(0, c.slidingWindow());
        DecoderConfig s =
                (DecoderConfig)
                        ModelConfigs.read(
                                file(
                                        "qwens",
                                        with(
                                                with(
                                                        with(q, "use_sliding_window", "true"),
                                                        "sliding_window",
                                                        "8"),
                                                "max_window_layers",
                                                "1")));
        assertEquals(8, s.slidingWindow());
        assertEquals(List.of(false, true), s.slidingLayers());
    }

    @Test
    void sharedRealConfigs() {
        String shared = System.getProperty("fewner.shared");
        assumeTrue(
                shared != null && Files.isDirectory(Paths.get(shared, "models", "configs")),
                "skipped: shared/models/configs not found (fewner.shared = " + shared + ")");
        Path cfgs = Paths.get(shared, "models", "configs");
        BertConfig b = (BertConfig) ModelConfigs.read(cfgs.resolve("bert-base-cased.json"));
        assertEquals(28996, b.vocabSize());
        assertEquals("gelu", b.hiddenAct());
        DecoderConfig l = (DecoderConfig) ModelConfigs.read(cfgs.resolve("llama-3.2-1b.json"));
        assertEquals("llama3", l.ropeScaling().type());
        assertEquals(64, l.headDim());
        assertTrue(l.tieWordEmbeddings());
        assertEquals(128000, l.bosTokenId());
        DecoderConfig q = (DecoderConfig) ModelConfigs.read(cfgs.resolve("qwen2.5-0.5b.json"));
        assertTrue(q.attentionBias());
        assertEquals(0, q.slidingWindow());
    }

    @Test
    void unsupportedModelTypeAndArchitectureNameWhatIsSupported() throws Exception {
        bad(
                "gpt2",
                with(BERT, "model_type", "\"gpt2\""),
                "model_type 'gpt2' is not supported (supported: bert, llama, mistral, qwen2)");
        bad(
                "notype",
                with(BERT, "model_type", null),
                "missing 'model_type' (supported: bert, llama, mistral, qwen2)");
        bad(
                "arch",
                with(BERT, "architectures", "[\"BertForSequenceClassification\"]"),
                "architecture 'BertForSequenceClassification' is not supported for model_type 'bert' (supported: BertModel, BertForMaskedLM");
        bad(
                "archstr",
                with(BERT, "architectures", "\"BertModel\""),
                "'architectures' must be a list");
    }

    @Test
    void fieldErrors() throws Exception {
        bad("missing", with(BERT, "hidden_size", null), "missing required field 'hidden_size'");
        bad(
                "type",
                with(BERT, "vocab_size", "\"100\""),
                "field 'vocab_size' must be an integer, found \"100\"");
        bad("frac", with(BERT, "vocab_size", "10.5"), "field 'vocab_size' must be an integer");
        bad(
                "eps",
                with(BERT, "layer_norm_eps", "\"small\""),
                "field 'layer_norm_eps' must be a number");
        bad(
                "tie",
                with(BERT, "tie_word_embeddings", "1"),
                "field 'tie_word_embeddings' must be true or false");
        bad(
                "act",
                with(BERT, "hidden_act", "\"mish\""),
                "hidden_act 'mish' is not supported (supported: gelu,");
        bad(
                "pos",
                with(BERT, "position_embedding_type", "\"relative_key\""),
                "position_embedding_type 'relative_key' is not supported");
        bad(
                "heads",
                with(BERT, "num_attention_heads", "5"),
                "hidden_size 32 is not a multiple of num_attention_heads 5");
        bad(
                "kv",
                with(LLAMA, "num_key_value_heads", "3"),
                "num_attention_heads 4 is not a multiple of num_key_value_heads 3");
        bad(
                "yarn",
                with(LLAMA, "rope_scaling", "{\"rope_type\":\"yarn\",\"factor\":4}"),
                "rope_scaling type 'yarn' is not supported");
        bad(
                "llama3",
                with(LLAMA, "rope_scaling", "{\"rope_type\":\"llama3\",\"factor\":8}"),
                "rope_scaling needs a numeric 'low_freq_factor'");
        bad("tp", with(LLAMA, "pretraining_tp", "2"), "pretraining_tp 2 is not supported");
        bad("json", "{\"model_type\": ", "not valid JSON");
        bad("array", "[]", "expected a JSON object");
        Path none = dir.resolve("nothing");
        Files.createDirectories(none);
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfigs.read(none));
        assertTrue(e.getMessage().contains("config.json: no config.json found"), e.getMessage());
    }

    @Test
    void writeRoundTripsAllFields() throws Exception {
        ModelConfig c = ModelConfigs.read(file("bert", with(BERT, "custom_field", "[1,2]")));
        Path out = dir.resolve("out/config.json");
        ModelConfigs.write(out, c.raw());
        ModelConfig back = ModelConfigs.read(out);
        assertEquals(c.raw(), back.raw());
        assertEquals(c, back);
        try (var l = Files.list(out.getParent())) {
            assertEquals(1, l.count(), "no temp files left");
        }
        assertNull(((DecoderConfig) ModelConfigs.read(file("nobos", LLAMA))).bosTokenId());
    }
}
