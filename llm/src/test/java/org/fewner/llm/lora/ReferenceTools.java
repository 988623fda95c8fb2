package org.fewner.llm.lora;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs ../shared/reference's Python tools from tests; skips the test when shared/ or python3+numpy
 * are absent.
 */
final class ReferenceTools {
    private ReferenceTools() {}

    static Path referenceDir() {
        String shared = System.getProperty("fewner.shared");
        Assumptions.assumeTrue(
                shared != null && Files.isDirectory(Path.of(shared, "reference")),
                "skipped: shared/reference not found (system property fewner.shared="
                        + shared
                        + ")");
        Assumptions.assumeTrue(pythonWithNumpy(), "skipped: python3 with numpy is not available");
        return Path.of(shared, "reference").toAbsolutePath();
    }

    static Path sharedDir() {
        return referenceDir().getParent();
    }

    private static Boolean numpy;

    private static synchronized boolean pythonWithNumpy() {
        if (numpy == null) {
            try {
                Process p =
                        new ProcessBuilder("python3", "-c", "import numpy")
                                .redirectErrorStream(true)
                                .start();
                numpy = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                numpy = false;
            }
        }
        return numpy;
    }

    /**
     * Runs a reference script (relative to reference/) with arguments; returns stdout, fails on a
     * non-zero exit.
     */
    static String run(String script, String... args) {
        List<String> cmd =
                new ArrayList<>(List.of("python3", referenceDir().resolve(script).toString()));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /** Runs our test helper ref_check.py. */
    static String check(String... args) {
        try {
            Path helper = Files.createTempFile("ref_check", ".py");
            try (InputStream in = ReferenceTools.class.getResourceAsStream("/lora/ref_check.py")) {
                Files.write(helper, in.readAllBytes());
            }
            List<String> cmd =
                    new ArrayList<>(
                            List.of("python3", helper.toString(), referenceDir().toString()));
            cmd.addAll(List.of(args));
            try {
                return exec(cmd);
            } finally {
                Files.deleteIfExists(helper);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(
                        String.join(" ", cmd)
                                + " failed:\n"
                                + new String(out, StandardCharsets.UTF_8)
                                + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        }
    }

    /** A small random model (std 0.2, random norms) from one of shared/models/configs. */
    static Path randomModel(Path dir, String config, String... extra) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "--config",
                                sharedDir().resolve("models/configs/" + config).toString(),
                                "--layers",
                                "2",
                                "--hidden",
                                "32",
                                "--intermediate",
                                "48",
                                "--heads",
                                "4",
                                "--vocab",
                                "64",
                                "--init-std",
                                "0.2",
                                "--random-norms",
                                "--seed",
                                "3",
                                "--out",
                                dir.toString()));
        a.addAll(List.of(extra));
        run("random_model.py", a.toArray(String[]::new));
        return dir;
    }

    /** {"max_rel": x} → x (tiny JSON reader for the helper's one-line output). */
    static double number(String json, String key) {
        try {
            return org.fewner.common.Json.MAPPER.readTree(json).path(key).asDouble(Double.NaN);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json);
        }
    }
}
