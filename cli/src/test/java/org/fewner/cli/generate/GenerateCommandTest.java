package org.fewner.cli.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.cli.FewNer;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code model random} then {@code generate} end to end on a tiny SmolLM2-shaped model with the
 * real tokenizer.
 */
class GenerateCommandTest {
    @TempDir Path tmp;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cl = FewNer.newCommandLine();
            cl.setErr(new PrintWriter(err));
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    private static Path smolConfig() {
        String shared = System.getProperty("fewner.shared");
        Path cfg =
                shared == null
                        ? null
                        : Path.of(shared, "models/smollm2-135m-tokenizer/config.json");
        assumeTrue(
                cfg != null && Files.isRegularFile(cfg),
                "skipped: SmolLM2 config not under -Dfewner.shared");
        return cfg;
    }

    @Test
    void randomModelThenConstrainedGeneration() throws Exception {
        Path model = tmp.resolve("smol");
        Run r =
                run(
                        "model",
                        "random",
                        "--config",
                        smolConfig().toString(),
                        "--layers",
                        "1",
                        "--hidden",
                        "32",
                        "--intermediate",
                        "64",
                        "--heads",
                        "4",
                        "--kv-heads",
                        "2",
                        "--seed",
                        "3",
                        "--init-std",
                        "0.2",
                        "--out",
                        model.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isRegularFile(model.resolve("tokenizer.json")));
        String text = "Dr. Smith flew from Paris to New York.";
        r =
                run(
                        "generate",
                        "--model",
                        model.toString(),
                        "--types",
                        "person, location",
                        "--text",
                        text,
                        "--max-new-tokens",
                        "20");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertEquals(2, json.get("results").size());
        for (JsonNode res : json.get("results")) {
            for (JsonNode s : res.get("spans")) {
                assertEquals(
                        text.substring(s.get("start").asInt(), s.get("end").asInt()),
                        s.get("text").asText());
            }
        }
    }

    @Test
    void badInputIsOneClearLine() {
        Run r =
                run(
                        "generate",
                        "--model",
                        tmp.resolve("missing").toString(),
                        "--types",
                        "person",
                        "--text",
                        "x");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("fewner: ") && r.err().contains("config.json"), r.err());
        r = run("generate", "--model", tmp.toString(), "--types", " , ", "--text", "x");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--types"), r.err());
    }

    @Test
    void randomBertModelHasMlmNames() throws Exception {
        String shared = System.getProperty("fewner.shared");
        Path cfg = shared == null ? null : Path.of(shared, "models/configs/bert-base-cased.json");
        assumeTrue(
                cfg != null && Files.isRegularFile(cfg),
                "skipped: BERT config not under -Dfewner.shared");
        Path out = tmp.resolve("bert");
        Run r =
                run(
                        "model",
                        "random",
                        "--config",
                        cfg.toString(),
                        "--layers",
                        "1",
                        "--hidden",
                        "16",
                        "--heads",
                        "2",
                        "--intermediate",
                        "32",
                        "--seed",
                        "1",
                        "--out",
                        out.toString());
        assertEquals(0, r.exit(), r.err());
        var t = org.fewner.llm.tensors.SafeTensors.readAll(out.resolve("model.safetensors"));
        assertTrue(
                t.containsKey("cls.predictions.transform.LayerNorm.weight")
                        && t.containsKey("cls.predictions.bias")
                        && t.containsKey("bert.encoder.layer.0.attention.self.query.weight"),
                t.keySet().toString());
        assertEquals(
                1,
                Json.MAPPER
                        .readTree(out.resolve("config.json").toFile())
                        .get("num_hidden_layers")
                        .asInt());
    }
}
