package org.fewner.llm.decoder;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;

/** Test helpers around ../shared/reference: random models and the inspect-dump comparison. */
final class ReferenceModels {
    private ReferenceModels() {}

    static Path shared() {
        String s = System.getProperty("fewner.shared");
        assumeTrue(
                s != null && Files.isDirectory(Path.of(s, "reference")),
                "skipped: -Dfewner.shared does not point at the shared folder with reference/ ("
                        + s
                        + ")");
        return Path.of(s);
    }

    /** Skips the test when python3 with numpy is not available. */
    static void assumePython() {
        assumeTrue(
                run(List.of("python3", "-c", "import numpy")).exit == 0,
                "skipped: python3 with numpy not available");
    }

    record Proc(int exit, String output) {}

    static Proc run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Proc(-1, out + " (timeout)");
            }
            return new Proc(p.exitValue(), out);
        } catch (IOException e) {
            return new Proc(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Proc(-1, e.toString());
        }
    }

    /** Runs random_model.py with the given extra arguments; fails the test on error. */
    static Path randomModel(Path config, Path out, String... args) {
        Path ref = shared().resolve("reference");
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "python3",
                                ref.resolve("random_model.py").toString(),
                                "--config",
                                config.toString(),
                                "--out",
                                out.toString()));
        cmd.addAll(List.of(args));
        Proc p = run(cmd);
        if (p.exit != 0) {
            throw new AssertionError("random_model.py failed: " + p.output);
        }
        return out;
    }

    /** Writes the inspect dump of one sequence (input_ids, hidden.0..L, logits). */
    static void writeInspect(DecoderModel model, long[] ids, Path file) {
        try (NDManager mm = model.manager().newSubManager()) {
            DecoderModel.Result r =
                    model.forward(
                            mm,
                            new long[][] {ids},
                            new long[][] {ones(ids.length)},
                            null,
                            null,
                            true,
                            false);
            Map<String, HostTensor> t = new LinkedHashMap<>();
            t.put("input_ids", HostTensor.ofLongs(new long[] {ids.length}, ids));
            for (int i = 0; i < r.hiddenStates().size(); i++) {
                t.put("hidden." + i, HostTensor.of(r.hiddenStates().get(i).get(0)));
            }
            t.put("logits", HostTensor.of(r.logits().get(0)));
            SafeTensors.write(file, t, Map.of());
        }
    }

    /** compare.py's JSON line and exit code. */
    static Proc compare(Path model, Path inspect) {
        Path ref = shared().resolve("reference");
        return run(
                List.of(
                        "python3",
                        ref.resolve("compare.py").toString(),
                        "--model",
                        model.toString(),
                        "--inspect",
                        inspect.toString()));
    }

    static long[] ones(int n) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    static float[] floats(NDArray a) {
        return a.toFloatArray();
    }
}
