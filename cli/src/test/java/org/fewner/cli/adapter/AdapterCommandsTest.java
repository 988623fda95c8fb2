package org.fewner.cli.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.fewner.cli.FewNer;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.tensors.SafeTensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterCommandsTest {

    /** A random llama model dir from shared/reference (skips without shared/ or python3+numpy). */
    static Path randomModel(Path out) throws Exception {
        String shared = System.getProperty("fewner.shared");
        Assumptions.assumeTrue(
                shared != null && Files.isDirectory(Path.of(shared, "reference")),
                "skipped: shared/reference not found (fewner.shared=" + shared + ")");
        Process p =
                new ProcessBuilder(
                                "python3",
                                Path.of(shared, "reference", "random_model.py").toString(),
                                "--config",
                                Path.of(shared, "models", "configs", "llama-3.2-1b.json")
                                        .toString(),
                                "--layers",
                                "2",
                                "--hidden",
                                "32",
                                "--intermediate",
                                "48",
                                "--heads",
                                "4",
                                "--kv-heads",
                                "2",
                                "--vocab",
                                "64",
                                "--init-std",
                                "0.2",
                                "--seed",
                                "1",
                                "--out",
                                out.toString())
                        .redirectErrorStream(true)
                        .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(
                p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
                "skipped: python3 random_model.py failed: " + log);
        return out;
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            var cl = FewNer.newCommandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void initInfoMerge(@TempDir Path tmp) throws Exception {
        Path model = randomModel(tmp.resolve("m"));
        Path adapter = tmp.resolve("a");
        Run init =
                run(
                        "adapter",
                        "init",
                        "--model",
                        model.toString(),
                        "--rank",
                        "4",
                        "--alpha",
                        "8",
                        "--targets",
                        "q_proj,v_proj",
                        "--seed",
                        "3",
                        "--init",
                        "random",
                        "--out",
                        adapter.toString());
        assertEquals(0, init.code(), init.err());
        assertEquals(
                4, AdapterJson.JSON.readTree(init.out()).get("lora_modules").asInt(), init.out());
        LoraAdapter a = LoraAdapter.read(adapter);
        assertEquals(4, a.modules().size());
        assertTrue(
                a.modules().values().stream().anyMatch(m -> m.b()[0] != 0),
                "--init random gives B values");

        Run info = run("adapter", "info", adapter.toString(), "--model", model.toString());
        assertEquals(0, info.code(), info.err());
        var json = AdapterJson.JSON.readTree(info.out());
        assertEquals(4, json.get("lora_modules").asInt());
        assertEquals(
                List.of(4, 32),
                List.of(
                        json.at("/modules/model.layers.1.self_attn.v_proj/lora_A/0").asInt(),
                        json.at("/modules/model.layers.1.self_attn.v_proj/lora_A/1").asInt()));
        assertEquals(
                16,
                json.at("/modules/model.layers.1.self_attn.v_proj/lora_B/0").asInt(),
                "v_proj out = 2 kv heads x 8");
        assertEquals(4, json.at("/fits_model/bound_layers").asInt());

        Path merged = tmp.resolve("merged");
        Run merge =
                run(
                        "adapter",
                        "merge",
                        "--model",
                        model.toString(),
                        "--adapter",
                        adapter.toString(),
                        "--out",
                        merged.toString());
        assertEquals(0, merge.code(), merge.err());
        assertTrue(Files.exists(merged.resolve("config.json")));
        var before = SafeTensors.readAll(model.resolve("model.safetensors"));
        var after = SafeTensors.readAll(merged.resolve("model.safetensors"));
        assertEquals(before.keySet(), after.keySet());
        int changed = 0;
        for (String k : before.keySet()) {
            if (!java.util.Arrays.equals(before.get(k).toFloats(), after.get(k).toFloats())) {
                changed++;
                assertTrue(k.endsWith("q_proj.weight") || k.endsWith("v_proj.weight"), k);
            }
        }
        assertEquals(4, changed);
    }

    @Test
    void badInputGivesOneClearMessageAndExitCode2(@TempDir Path tmp) throws Exception {
        Path model = randomModel(tmp.resolve("m"));
        Run none =
                run(
                        "adapter",
                        "init",
                        "--model",
                        model.toString(),
                        "--rank",
                        "4",
                        "--alpha",
                        "8",
                        "--targets",
                        "proj",
                        "--seed",
                        "1",
                        "--out",
                        tmp.resolve("x").toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("select no linear layer"), none.err());
        Run initMode =
                run(
                        "adapter",
                        "init",
                        "--model",
                        model.toString(),
                        "--rank",
                        "4",
                        "--alpha",
                        "8",
                        "--targets",
                        "q_proj",
                        "--seed",
                        "1",
                        "--init",
                        "gaussian",
                        "--out",
                        tmp.resolve("x").toString());
        assertEquals(2, initMode.code());
        assertTrue(initMode.err().contains("--init: expected zero or random"), initMode.err());
        Run missing = run("adapter", "info", tmp.resolve("nothing").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no adapter_config.json"), missing.err());
    }
}
