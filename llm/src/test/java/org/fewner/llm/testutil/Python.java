package org.fewner.llm.testutil;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the numpy reference in ../shared/reference (system property {@code fewner.shared}); tests
 * skip without it.
 */
public final class Python {
    private Python() {}

    /** {@code shared/reference}, or the test is skipped with a message saying what is missing. */
    public static Path referenceDir() {
        String shared = System.getProperty("fewner.shared");
        assumeTrue(
                shared != null && Files.isDirectory(Paths.get(shared, "reference")),
                "skipped: shared/reference not found (system property fewner.shared = "
                        + shared
                        + ")");
        Path ref = Paths.get(shared, "reference").toAbsolutePath().normalize();
        boolean ok;
        try {
            Process p =
                    new ProcessBuilder("python3", "-c", "import numpy")
                            .redirectErrorStream(true)
                            .start();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        assumeTrue(ok, "skipped: python3 with numpy is not available");
        return ref;
    }

    /**
     * Runs {@code python3 args...} in the reference directory; fails the test with the output on a
     * non-zero exit.
     */
    public static String run(Path refDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("python3");
        cmd.addAll(List.of(args));
        Process p =
                new ProcessBuilder(cmd)
                        .directory(refDir.toFile())
                        .redirectErrorStream(true)
                        .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python3 timed out: " + cmd);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(
                    "python3 failed (" + p.exitValue() + "): " + cmd + "\n" + text);
        }
        return text;
    }
}
