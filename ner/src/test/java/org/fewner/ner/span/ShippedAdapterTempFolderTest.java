package org.fewner.ner.span;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 27: every span run left an empty {@code fewner-span-<model>NNN} folder in the temporary
 * directory (the folder was registered for deletion at exit after its files, so it was deleted
 * first, while not empty). A child JVM unpacks the shipped adapter and exits; nothing may be left.
 */
class ShippedAdapterTempFolderTest {
    /** The child: unpacks the shipped adapter of {@code default} and prints its folder. */
    public static void main(String[] args) {
        Path dir = SpanMethod.shippedAdapter("default");
        System.out.println(dir);
    }

    @Test
    void theUnpackedAdapterFolderIsGoneAfterExit(@TempDir Path tmp) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
                new ProcessBuilder(
                                java,
                                "-Djava.io.tmpdir=" + tmp,
                                "-cp",
                                System.getProperty("java.class.path"),
                                ShippedAdapterTempFolderTest.class.getName())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().filter(l -> l.contains("fewner-span-default")).toList();
        assertEquals(1, lines.size(), out);
        assertTrue(lines.get(0).startsWith(tmp.toString()), out);
        assertFalse(Files.exists(Path.of(lines.get(0).strip())), "left behind: " + lines.get(0));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.map(Path::toString).toList());
        }
    }
}
