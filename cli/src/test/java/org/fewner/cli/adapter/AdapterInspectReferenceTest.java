package org.fewner.cli.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model inspect --adapter} against shared/reference/compare.py on random models (std 0.2,
 * random norms): our adapters and the reference's, both BERT naming styles (and decoders once a
 * decoder backbone is present).
 */
class AdapterInspectReferenceTest {
    static Path shared() {
        String s = System.getProperty("fewner.shared");
        Assumptions.assumeTrue(
                s != null && Files.isDirectory(Path.of(s, "reference")),
                "skipped: shared/reference not found");
        return Path.of(s);
    }

    /** Runs a python script of shared/reference; returns [exit code, output]. */
    static Object[] python(String script, String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "python3",
                                shared().resolve("reference").resolve(script).toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        return new Object[] {p.exitValue(), out};
    }

    static void ok(Object[] r) {
        assertEquals(0, r[0], (String) r[1]);
    }

    static Path model(Path dir, String config, String... extra) throws Exception {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "--config",
                                shared().resolve("models/configs/" + config).toString(),
                                "--layers",
                                "2",
                                "--hidden",
                                "64",
                                "--intermediate",
                                "128",
                                "--heads",
                                "4",
                                "--vocab",
                                "200",
                                "--init-std",
                                "0.2",
                                "--random-norms",
                                "--seed",
                                "1",
                                "--out",
                                dir.toString()));
        a.addAll(List.of(extra));
        Object[] r = python("random_model.py", a.toArray(String[]::new));
        Assumptions.assumeTrue(
                (int) r[0] == 0,
                "skipped: random_model.py failed (python3 + numpy needed): " + r[1]);
        return dir;
    }

    /** Runs {@code model inspect} on a decoder (with an optional adapter); it must succeed. */
    static Path inspectDecoder(Path model, Path adapter, Path out) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "model",
                                "inspect",
                                "--model",
                                model.toString(),
                                "--ids",
                                "1,5,17,42,99,150,2",
                                "--out",
                                out.toString()));
        if (adapter != null) {
            a.addAll(List.of("--adapter", adapter.toString()));
        }
        AdapterCommandsTest.Run r = AdapterCommandsTest.run(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return out;
    }

    @Test
    void decodersWithAdaptersAgreeWithTheReference(@TempDir Path tmp) throws Exception {
        String[][] models = {
            {"llama-3.2-1b.json", "--kv-heads", "2", "--tie", "false"},
            {"qwen2.5-0.5b.json", "--kv-heads", "2"},
            {"llama-3.2-1b.json", "--kv-heads", "2", "--tie", "true"},
        };
        for (int i = 0; i < models.length; i++) {
            String[] extra = java.util.Arrays.copyOfRange(models[i], 1, models[i].length);
            Path m = model(tmp.resolve("dec" + i), models[i][0], extra);
            Path ours = tmp.resolve("ours" + i);
            AdapterCommandsTest.Run init =
                    AdapterCommandsTest.run(
                            "adapter",
                            "init",
                            "--model",
                            m.toString(),
                            "--rank",
                            "4",
                            "--alpha",
                            "8",
                            "--targets",
                            i == 2 ? "lm_head,q_proj,down_proj" : "all-linear",
                            "--seed",
                            "5",
                            "--init",
                            "random",
                            "--b-std",
                            "0.2",
                            "--out",
                            ours.toString());
            assertEquals(0, init.code(), init.err());
            Path dump = inspectDecoder(m, ours, tmp.resolve("ours" + i + ".safetensors"));
            ok(
                    python(
                            "compare.py",
                            "--model",
                            m.toString(),
                            "--adapter",
                            ours.toString(),
                            "--inspect",
                            dump.toString(),
                            "--rtol",
                            "1e-4"));
            Path base = inspectDecoder(m, null, tmp.resolve("base" + i + ".safetensors"));
            assertEquals(
                    1,
                    python(
                            "compare.py",
                            "--model",
                            m.toString(),
                            "--adapter",
                            ours.toString(),
                            "--inspect",
                            base.toString())[0],
                    "the base dump must fail against the adapted reference");
            Path ref = tmp.resolve("ref" + i);
            ok(
                    python(
                            "random_adapter.py",
                            "--model",
                            m.toString(),
                            "--r",
                            "4",
                            "--alpha",
                            "8",
                            "--targets",
                            "q_proj,v_proj,up_proj",
                            "--seed",
                            "3",
                            "--b-std",
                            "0.2",
                            "--use-rslora",
                            "--dtype",
                            "BF16",
                            "--out",
                            ref.toString()));
            Path refDump = inspectDecoder(m, ref, tmp.resolve("ref" + i + ".safetensors"));
            ok(
                    python(
                            "compare.py",
                            "--model",
                            m.toString(),
                            "--adapter",
                            ref.toString(),
                            "--inspect",
                            refDump.toString(),
                            "--rtol",
                            "1e-4"));
            Path zero = tmp.resolve("zero" + i);
            assertEquals(
                    0,
                    AdapterCommandsTest.run(
                                    "adapter",
                                    "init",
                                    "--model",
                                    m.toString(),
                                    "--rank",
                                    "4",
                                    "--alpha",
                                    "8",
                                    "--targets",
                                    "all-linear",
                                    "--seed",
                                    "5",
                                    "--out",
                                    zero.toString())
                            .code());
            assertArrayEquals(
                    Files.readAllBytes(base),
                    Files.readAllBytes(
                            inspectDecoder(m, zero, tmp.resolve("zero" + i + ".safetensors"))),
                    "zero-init adapter must give the base output bit for bit");
        }
    }

    static Path inspect(Path model, Path adapter, Path out) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "model",
                                "inspect",
                                "--model",
                                model.toString(),
                                "--ids",
                                "101,5,17,42,99,150,102",
                                "--out",
                                out.toString()));
        if (adapter != null) {
            a.addAll(List.of("--adapter", adapter.toString()));
        }
        AdapterCommandsTest.Run r = AdapterCommandsTest.run(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return out;
    }

    @Test
    void bertWithAdaptersAgreesWithTheReference(@TempDir Path tmp) throws Exception {
        for (String naming : List.of("mlm", "base")) {
            Path m =
                    model(
                            tmp.resolve("bert-" + naming),
                            "bert-base-cased.json",
                            "--bert-naming",
                            naming);
            Path ours = tmp.resolve("ours-" + naming);
            AdapterCommandsTest.Run init =
                    AdapterCommandsTest.run(
                            "adapter",
                            "init",
                            "--model",
                            m.toString(),
                            "--rank",
                            "4",
                            "--alpha",
                            "8",
                            "--targets",
                            "query,key,value,attention.output.dense,intermediate.dense,output.dense",
                            "--seed",
                            "5",
                            "--init",
                            "random",
                            "--b-std",
                            "0.2",
                            "--out",
                            ours.toString());
            assertEquals(0, init.code(), init.err());
            Path dump = inspect(m, ours, tmp.resolve("ours-" + naming + ".safetensors"));
            ok(
                    python(
                            "compare.py",
                            "--model",
                            m.toString(),
                            "--adapter",
                            ours.toString(),
                            "--inspect",
                            dump.toString(),
                            "--atol",
                            "1e-4"));
            // teeth: the base model's dump does not pass as the adapted one
            Path base = inspect(m, null, tmp.resolve("base-" + naming + ".safetensors"));
            Object[] bad =
                    python(
                            "compare.py",
                            "--model",
                            m.toString(),
                            "--adapter",
                            ours.toString(),
                            "--inspect",
                            base.toString(),
                            "--atol",
                            "1e-4");
            assertEquals(
                    1, bad[0], "the base dump must fail against the adapted reference: " + bad[1]);
            // an adapter written by the reference (rsLoRA, BertForMaskedLM names) on both naming
            // styles
            Path ref = tmp.resolve("ref-" + naming);
            ok(
                    python(
                            "random_adapter.py",
                            "--model",
                            tmp.resolve("bert-mlm").toString(),
                            "--r",
                            "4",
                            "--alpha",
                            "8",
                            "--targets",
                            "query,value,output.dense",
                            "--seed",
                            "3",
                            "--b-std",
                            "0.2",
                            "--use-rslora",
                            "--out",
                            ref.toString()));
            Path refDump = inspect(m, ref, tmp.resolve("ref-" + naming + ".safetensors"));
            ok(
                    python(
                            "compare.py",
                            "--model",
                            m.toString(),
                            "--adapter",
                            ref.toString(),
                            "--inspect",
                            refDump.toString(),
                            "--atol",
                            "1e-4"));
            // a zero-init adapter gives exactly the base output
            Path zero = tmp.resolve("zero-" + naming);
            assertEquals(
                    0,
                    AdapterCommandsTest.run(
                                    "adapter",
                                    "init",
                                    "--model",
                                    m.toString(),
                                    "--rank",
                                    "4",
                                    "--alpha",
                                    "8",
                                    "--targets",
                                    "all-linear",
                                    "--seed",
                                    "5",
                                    "--out",
                                    zero.toString())
                            .code());
            Path zeroDump = inspect(m, zero, tmp.resolve("zero-" + naming + ".safetensors"));
            assertArrayEquals(
                    Files.readAllBytes(base),
                    Files.readAllBytes(zeroDump),
                    "zero-init adapter must give the base output bit for bit");
        }
    }
}
