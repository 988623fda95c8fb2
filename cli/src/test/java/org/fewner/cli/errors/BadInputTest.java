package org.fewner.cli.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.fewner.cli.CliRun;
import org.fewner.common.Json;
import org.fewner.llm.decoder.RandomModelWriter;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad inputs of the command line, as a new user would give them: each ends with exit 2 and one line
 * {@code fewner: <file>[:<line>]: <problem>} (never a stack trace or a JVM abort), and a command
 * that writes leaves nothing behind. docs/errors.md lists these cases.
 */
class BadInputTest {
    @TempDir Path tmp;

    // ----------------------------------------------------------------------------- tiny models

    static ObjectNode llamaConfig() {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "llama")
                .put("vocab_size", 64)
                .put("hidden_size", 16)
                .put("intermediate_size", 24)
                .put("num_hidden_layers", 2)
                .put("num_attention_heads", 4)
                .put("num_key_value_heads", 2)
                .put("max_position_embeddings", 64)
                .put("eos_token_id", 2);
        return c;
    }

    static ObjectNode bertConfig() {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "bert")
                .put("vocab_size", 16)
                .put("hidden_size", 8)
                .put("intermediate_size", 16)
                .put("num_hidden_layers", 2)
                .put("num_attention_heads", 2)
                .put("max_position_embeddings", 32);
        return c;
    }

    /** A random model directory (BERT ones get a vocab.txt so that they load). */
    Path model(String name, ObjectNode config) throws Exception {
        Path dir = tmp.resolve(name);
        RandomModelWriter.write(config, 7, true, dir, null);
        if (config.path("model_type").asText().equals("bert")) {
            List<String> vocab =
                    new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
            for (int i = vocab.size(); i < config.get("vocab_size").asInt(); i++) {
                vocab.add("w" + i);
            }
            Files.write(dir.resolve("vocab.txt"), vocab);
        }
        return dir;
    }

    Path writeConfig(String name, ObjectNode config) throws Exception {
        Path f = tmp.resolve(name + "-config").resolve("config.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, Json.pretty(config));
        return f;
    }

    /** Rewrites the config.json of a model directory. */
    static void editConfig(Path dir, String field, Object value) throws Exception {
        ObjectNode c = (ObjectNode) Json.readTree(dir.resolve("config.json"));
        c.set(field, Json.MAPPER.valueToTree(value));
        Files.writeString(dir.resolve("config.json"), Json.pretty(c));
    }

    /** Replaces one tensor of a model directory's model.safetensors. */
    static void editTensor(Path dir, String name, HostTensor t) {
        Path f = dir.resolve("model.safetensors");
        Map<String, HostTensor> all = new HashMap<>(SafeTensors.readAll(f));
        all.put(name, t);
        SafeTensors.write(f, all, Map.of("format", "pt"));
    }

    static CliRun inspect(Path model, Path out) {
        return CliRun.run(
                "model",
                "inspect",
                "--model",
                model.toString(),
                "--ids",
                "1,5,7,2",
                "--out",
                out.toString());
    }

    static void assertAbsent(Path p) throws Exception {
        assertFalse(Files.exists(p), p + " was written");
        try (Stream<Path> s = Files.list(p.toAbsolutePath().getParent())) {
            assertTrue(
                    s.noneMatch(x -> x.getFileName().toString().startsWith("." + p.getFileName())),
                    "a temporary sibling of " + p + " was left behind");
        }
    }

    // ----------------------------------------------------------------------------- configs

    @Test
    void impossibleConfigsAreRefusedBeforeAnythingIsWritten() throws Exception {
        Object[][] cases = {
            {"num_attention_heads", 0, "field 'num_attention_heads' must be a positive integer"},
            {"num_key_value_heads", 0, "field 'num_key_value_heads' must be a positive integer"},
            {"rms_norm_eps", 0, "field 'rms_norm_eps' must be a number above 0"},
            {"rms_norm_eps", -1e-6, "field 'rms_norm_eps' must be a number above 0"},
            {"rope_theta", 0, "field 'rope_theta' must be a number above 0"},
            {"hidden_size", -16, "field 'hidden_size' must be a positive integer"},
            {"num_hidden_layers", 0, "field 'num_hidden_layers' must be a positive integer"},
        };
        for (Object[] c : cases) {
            ObjectNode cfg = llamaConfig();
            cfg.set((String) c[0], Json.MAPPER.valueToTree(c[1]));
            Path config = writeConfig(c[0] + "-" + c[1], cfg);
            Path out = tmp.resolve("out-" + c[0]);
            CliRun.run(
                            "model",
                            "random",
                            "--config",
                            config.toString(),
                            "--seed",
                            "1",
                            "--out",
                            out.toString())
                    .assertUserError("config.json", (String) c[2]);
            assertAbsent(out);
        }
        ObjectNode bert = bertConfig();
        bert.put("layer_norm_eps", 0);
        Path out = tmp.resolve("out-bert");
        CliRun.run(
                        "model",
                        "random",
                        "--config",
                        writeConfig("bert-eps", bert).toString(),
                        "--seed",
                        "1",
                        "--out",
                        out.toString())
                .assertUserError("config.json", "field 'layer_norm_eps' must be a number above 0");
        assertAbsent(out);
    }

    @Test
    void sizeOverridesOfModelRandomNameTheOption() throws Exception {
        Path config = writeConfig("override", llamaConfig());
        for (String opt : new String[] {"--heads", "--kv-heads", "--layers", "--hidden"}) {
            Path out = tmp.resolve("out-override" + opt);
            CliRun.run(
                            "model",
                            "random",
                            "--config",
                            config.toString(),
                            opt,
                            "0",
                            "--seed",
                            "1",
                            "--out",
                            out.toString())
                    .assertUserError(opt + ": expected ", ", got 0");
            assertAbsent(out);
        }
    }

    @Test
    void impossibleConfigOfAnExistingModelIsOneLine() throws Exception {
        for (String field : new String[] {"num_attention_heads", "num_key_value_heads"}) {
            Path m = model("heads-" + field, llamaConfig());
            editConfig(m, field, 0);
            Path out = tmp.resolve(field + ".safetensors");
            inspect(m, out).assertUserError(m.resolve("config.json").toString(), field);
            assertAbsent(out);
        }
    }

    @Test
    void truncatedConfigIsOneLineWithLineAndColumn() throws Exception {
        Path m = model("truncated", llamaConfig());
        String text = Files.readString(m.resolve("config.json"));
        Files.writeString(m.resolve("config.json"), text.substring(0, text.length() / 2));
        CliRun r = inspect(m, tmp.resolve("t.safetensors"));
        r.assertUserError("config.json:", "not valid JSON");
        assertTrue(
                r.err().matches("(?s)fewner: \\S+config\\.json:\\d+:\\d+: not valid JSON.*"),
                r.err());
    }

    @Test
    void eosTokenOutsideTheVocabularyIsRefusedBeforeGenerating() throws Exception {
        String shared = System.getProperty("fewner.shared");
        Path tok =
                shared == null
                        ? null
                        : Path.of(shared, "models/smollm2-135m-tokenizer/tokenizer.json");
        assumeTrue(
                tok != null && Files.isRegularFile(tok),
                "skipped: SmolLM2 tokenizer not under -Dfewner.shared");
        ObjectNode cfg = llamaConfig();
        cfg.put("vocab_size", 49152).put("hidden_size", 8).put("intermediate_size", 8);
        cfg.put("num_attention_heads", 2).put("num_key_value_heads", 1);
        cfg.put("num_hidden_layers", 1).put("tie_word_embeddings", true);
        cfg.put("eos_token_id", 60000);
        Path m = tmp.resolve("eos");
        RandomModelWriter.write(cfg, 3, false, m, tok);
        CliRun.run(
                        "generate",
                        "--model",
                        m.toString(),
                        "--types",
                        "person",
                        "--text",
                        "Alice met Bob")
                .assertUserError("eos_token_id 60000 is outside the vocabulary (0..49151)");
    }

    @Test
    void tokenizerFilesThatAbortedTheJvmAreOneLineErrors() throws Exception {
        Path tok = tmp.resolve("tokenizer.json");
        Files.writeString(tok, org.fewner.cli.fuzz.ParserFuzzTest.TOKENIZER);
        Path m = tmp.resolve("tok-model");
        RandomModelWriter.write(llamaConfig(), 5, false, m, tok);
        String valid = Files.readString(m.resolve("tokenizer.json"));
        Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
        // (the decoder reads the vocabulary size first, whose JSON parser already refuses the NUL)
        bad.put(
                "tokenizer.json:1:",
                valid.replace("\"prefix\":\"##\"", "\"prefix\u0000\":\"##\"")
                        .getBytes(StandardCharsets.UTF_8));
        bad.put(
                "unpaired UTF-16 surrogate",
                valid.replace("\"prefix\":\"##\"", "\"prefix\":\"\\ud800\"")
                        .getBytes(StandardCharsets.UTF_8));
        bad.put(
                "which post_processor.special_tokens does not define",
                valid.replace(
                                ",\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[3],\"tokens\":[\"[SEP]\"]}",
                                "")
                        .getBytes(StandardCharsets.UTF_8));
        bad.put(
                "not valid JSON",
                valid.substring(0, valid.length() / 3).getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            Files.write(m.resolve("tokenizer.json"), e.getValue());
            CliRun.run("generate", "--model", m.toString(), "--types", "person", "--text", "hello")
                    .assertUserError(m.resolve("tokenizer.json").toString(), e.getKey());
        }
    }

    // ----------------------------------------------------------------------------- weights

    @Test
    void layersBeyondNumHiddenLayersAreRefused() throws Exception {
        Path d = model("deep-decoder", llamaConfig());
        editConfig(d, "num_hidden_layers", 1);
        inspect(d, tmp.resolve("d.safetensors"))
                .assertUserError(
                        "model.safetensors", "model.layers.1.", "beyond num_hidden_layers=1");
        Path b = model("deep-bert", bertConfig());
        editConfig(b, "num_hidden_layers", 1);
        inspect(b, tmp.resolve("b.safetensors"))
                .assertUserError(
                        "model.safetensors", "encoder.layer.1.", "beyond num_hidden_layers=1");
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor() throws Exception {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Path m = model("nan-" + bad, llamaConfig());
            float[] v = new float[16];
            java.util.Arrays.fill(v, 1f);
            v[3] = bad;
            editTensor(m, "model.norm.weight", HostTensor.ofFloats(new long[] {16}, v));
            Path out = tmp.resolve("nan.safetensors");
            inspect(m, out)
                    .assertUserError(
                            "model.safetensors",
                            "tensor 'model.norm.weight' holds " + bad + " at element 3");
            assertAbsent(out);
        }
        Path b = model("nan-bert", bertConfig());
        float[] v = new float[8];
        v[0] = Float.NaN;
        editTensor(b, "bert.embeddings.LayerNorm.bias", HostTensor.ofFloats(new long[] {8}, v));
        inspect(b, tmp.resolve("b.safetensors"))
                .assertUserError("tensor 'bert.embeddings.LayerNorm.bias' holds NaN");
    }

    @Test
    void integerDtypeOnANormWeightIsRefused() throws Exception {
        Path m = model("int-norm", llamaConfig());
        editTensor(m, "model.norm.weight", HostTensor.ofLongs(new long[] {16}, new long[16]));
        inspect(m, tmp.resolve("i.safetensors"))
                .assertUserError(
                        "tensor 'model.norm.weight' has dtype I64",
                        "expected a floating-point weight");
    }

    @Test
    void nonFiniteOutputsAreRefused() throws Exception {
        Path m = model("overflow", llamaConfig());
        float[] v = new float[16];
        java.util.Arrays.fill(v, 3e38f);
        editTensor(m, "model.norm.weight", HostTensor.ofFloats(new long[] {16}, v));
        Path out = tmp.resolve("o.safetensors");
        inspect(m, out).assertUserError("model output", "overflowed float32");
        assertAbsent(out);
    }

    // ----------------------------------------------------------------------------- options

    @Test
    void benchmarkOptionsAreCheckedBeforeAnyWork() throws Exception {
        Path missing = tmp.resolve("no-model");
        long t0 = System.nanoTime();
        CliRun.run("bench", "decoder", "--model", missing.toString(), "--repeats", "0")
                .assertUserError("--repeats: expected a positive integer, got 0");
        CliRun.run("bench", "encoder", "--model", missing.toString(), "--batches", "1,0")
                .assertUserError("--batches: expected a positive integer, got 0");
        CliRun.run("bench", "encoder", "--model", missing.toString(), "--lengths", "-5")
                .assertUserError("--lengths: expected a positive integer, got -5");
        CliRun.run("bench", "encoder", "--model", missing.toString(), "--repeats", "-1")
                .assertUserError("--repeats");
        CliRun.run("bench", "encoder", "--model", missing.toString(), "--gemm-seconds", "0")
                .assertUserError("--gemm-seconds: expected a number above 0");
        CliRun.run("bench", "encoder", "--model", missing.toString(), "--profile", "8xq")
                .assertUserError("--profile '8xq': expected BxT");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "checked up front");
    }

    // ----------------------------------------------------------------------------- files

    @Test
    void directoryFifoAndStandardInputGetTheirOwnMessages() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("a-dir"));
        CliRun.run("stats", "--format", "conll", dir.toString())
                .assertUserError(dir.toString(), "is a directory");
        CliRun.run("stats", "--format", "conll", "-")
                .assertUserError("reading standard input is not supported");
        CliRun.run("model", "random", "--config", dir.toString(), "--seed", "1", "--out", "x")
                .assertUserError("is a directory");
        Path fifo = tmp.resolve("fifo");
        boolean made = false;
        try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        } catch (java.io.IOException e) {
            // no mkfifo here
        }
        assumeTrue(made, "skipped: mkfifo not available");
        CliRun.run("stats", "--format", "conll", fifo.toString())
                .assertUserError(fifo.toString(), "not a regular file");
    }

    @Test
    void longOffendingInputIsQuotedShort() throws Exception {
        Path f = tmp.resolve("long.conll");
        Files.writeString(f, "x".repeat(100_000) + " B-PER extra\n\n");
        CliRun r = CliRun.run("stats", "--format", "conll", f.toString());
        r.assertUserError(f + ":1:", "(100012 characters)");
        assertTrue(r.err().length() < 600, "message of " + r.err().length() + " characters");
    }

    // ----------------------------------------------------------------------------- writers

    @Test
    void adapterWritersLeaveNothingBehindOnFailure() throws Exception {
        Path m = model("base", llamaConfig());
        Path adapter = tmp.resolve("adapter");
        CliRun.run(
                        "adapter",
                        "init",
                        "--model",
                        m.toString(),
                        "--rank",
                        "0",
                        "--alpha",
                        "8",
                        "--targets",
                        "q_proj,v_proj",
                        "--seed",
                        "1",
                        "--out",
                        adapter.toString())
                .assertUserError("--rank");
        assertAbsent(adapter);
        CliRun ok =
                CliRun.run(
                        "adapter",
                        "init",
                        "--model",
                        m.toString(),
                        "--rank",
                        "2",
                        "--alpha",
                        "4",
                        "--targets",
                        "q_proj,v_proj",
                        "--seed",
                        "1",
                        "--init",
                        "random",
                        "--out",
                        adapter.toString());
        assertEquals(0, ok.code(), ok.err());
        // a NaN in a base weight the merge touches: refused, and no half-written model
        float[] v = new float[16 * 16];
        v[5] = Float.NaN;
        editTensor(
                m,
                "model.layers.0.self_attn.q_proj.weight",
                HostTensor.ofFloats(new long[] {16, 16}, v));
        Path merged = tmp.resolve("merged");
        CliRun.run(
                        "adapter",
                        "merge",
                        "--model",
                        m.toString(),
                        "--adapter",
                        adapter.toString(),
                        "--out",
                        merged.toString())
                .assertUserError("tensor 'model.layers.0.self_attn.q_proj.weight' holds NaN");
        assertAbsent(merged);
    }

    @Test
    void writersCreateFilesWithTheUsersUmaskAndPrintValidJson() throws Exception {
        Path config = writeConfig("ok", llamaConfig());
        Path out = tmp.resolve("dir with \"quote\" and \\ backslash");
        CliRun r =
                CliRun.run(
                        "model",
                        "random",
                        "--config",
                        config.toString(),
                        "--seed",
                        "1",
                        "--out",
                        out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(out.toString(), Json.MAPPER.readTree(r.out()).get("out").asText());
        Path reference = Files.writeString(tmp.resolve("reference"), "x");
        Set<PosixFilePermission> umask = Files.getPosixFilePermissions(reference);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            assertEquals(umask, Files.getPosixFilePermissions(out.resolve(f)), f);
        }
        // an existing, non-empty output directory is refused, not overwritten or merged into
        CliRun.run(
                        "model",
                        "random",
                        "--config",
                        config.toString(),
                        "--seed",
                        "2",
                        "--out",
                        out.toString())
                .assertUserError("already holds an earlier output of 'fewner model random'");
        assertEquals(
                Files.size(out.resolve("model.safetensors")),
                Files.size(out.resolve("model.safetensors")));
        assertEquals(
                Set.of("config.json", "model.safetensors", ".fewner-output"),
                Set.copyOf(Files.list(out).map(p -> p.getFileName().toString()).toList()));
        assertTrue(
                new String(Files.readAllBytes(out.resolve("config.json")), StandardCharsets.UTF_8)
                        .contains("\"torch_dtype\""));
    }
}
