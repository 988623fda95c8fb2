package org.fewner.llm.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.fewner.common.Json;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Inspection;
import org.fewner.llm.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our forward against the independent float64 numpy reference ({@code shared/reference/compare.py})
 * at {@code --atol 1e-4}, on random models written by {@code random_model.py} with large weights
 * (std 0.2, random norms). Skipped when python3 with numpy or the shared folder is absent.
 */
class BertReferenceTest {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final long[] IDS = {101, 1000, 2000, 3000, 28000, 5, 17, 999, 102};
    private static Path reference;

    @TempDir Path tmp;

    @BeforeAll
    static void findReference() {
        String shared = System.getProperty("fewner.shared");
        Path dir = shared == null ? null : Path.of(shared, "reference");
        reference = dir != null && Files.isRegularFile(dir.resolve("compare.py")) ? dir : null;
    }

    private static void assumeReference() {
        assumeTrue(
                reference != null,
                "shared/reference (system property fewner.shared) not found: reference comparison skipped");
        assumeTrue(
                run(List.of("python3", "-c", "import numpy"), reference).exitCode == 0,
                "python3 with numpy not available: reference comparison skipped");
    }

    private record Result(int exitCode, String out) {}

    private static Result run(List<String> cmd, Path cwd) {
        try {
            Process p =
                    new ProcessBuilder(cmd)
                            .directory(cwd.toFile())
                            .redirectErrorStream(true)
                            .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timeout: " + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    /**
     * random_model.py with the brief's sizes and large weights; {@code act} written into the
     * config.
     */
    private Path randomModel(String name, String act, String naming) throws IOException {
        ObjectNode cfg =
                (ObjectNode)
                        JSON.readTree(
                                reference
                                        .getParent()
                                        .resolve("models/configs/bert-base-cased.json")
                                        .toFile());
        cfg.put("hidden_act", act);
        Path cfgFile = tmp.resolve(name + "-config.json");
        JSON.writeValue(cfgFile.toFile(), cfg);
        Path out = tmp.resolve(name);
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "python3",
                                "random_model.py",
                                "--config",
                                cfgFile.toString(),
                                "--layers",
                                "2",
                                "--hidden",
                                "64",
                                "--intermediate",
                                "128",
                                "--heads",
                                "4",
                                "--init-std",
                                "0.2",
                                "--random-norms",
                                "--seed",
                                "1",
                                "--bert-naming",
                                naming,
                                "--out",
                                out.toString()));
        Result r = run(cmd, reference);
        assertEquals(0, r.exitCode, r.out);
        return out;
    }

    private Result compare(Path model, Path inspect) {
        return run(
                List.of(
                        "python3",
                        "compare.py",
                        "--model",
                        model.toString(),
                        "--inspect",
                        inspect.toString(),
                        "--atol",
                        "1e-4"),
                reference);
    }

    private Path inspect(Path modelDir) {
        Path file = tmp.resolve(modelDir.getFileName() + ".inspect.safetensors");
        try (Backbone m = Models.load(modelDir, Device.cpu())) {
            Inspection.write(m, IDS, null, file);
        }
        return file;
    }

    @ParameterizedTest(name = "{0} naming, hidden_act {1}")
    @CsvSource({
        "mlm, gelu",
        "base, gelu",
        "mlm, gelu_new",
        "mlm, gelu_pytorch_tanh",
        "mlm, quick_gelu",
        "mlm, relu",
        "base, silu"
    })
    void agreesWithTheNumpyReference(String naming, String act) throws IOException {
        assumeReference();
        Path model = randomModel(naming + "-" + act, act, naming);
        Result r = compare(model, inspect(model));
        assertEquals(0, r.exitCode, r.out);
        JsonNode report = JSON.readTree(r.out);
        assertTrue(report.get("ok").asBoolean(), r.out);
        assertEquals(naming.equals("mlm"), report.get("tensors").has("logits"), r.out);
    }

    @Test
    void aTanhForErfSlipFailsTheComparison() throws IOException {
        // The check has teeth: the same weights run with the tanh GELU while the reference reads
        // hidden_act "gelu".
        assumeReference();
        Path model = randomModel("erf", "gelu", "mlm");
        Path wrong = Files.createDirectories(tmp.resolve("wrong"));
        Files.copy(model.resolve("model.safetensors"), wrong.resolve("model.safetensors"));
        ObjectNode cfg = (ObjectNode) JSON.readTree(model.resolve("config.json").toFile());
        cfg.put("hidden_act", "gelu_new");
        JSON.writeValue(wrong.resolve("config.json").toFile(), cfg);
        Result r = compare(model, inspect(wrong));
        assertEquals(1, r.exitCode, r.out);
        assertTrue(
                JSON.readTree(r.out).get("tensors").get("hidden.1").get("max_abs").asDouble()
                        > 1e-4,
                r.out);
    }
}
