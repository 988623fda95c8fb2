package org.fewner.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock of an output folder across two processes (the real case: two runs on one --out). */
class OutputFolderProcessTest {
    @TempDir Path tmp;

    /** Holds {@code args[0]} as {@code eval fewnerd} until its standard input closes. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (OutputFolder f =
                    OutputFolder.open(Path.of(args[0]), "eval fewnerd", OutputFolder.Mode.NEW)) {
                System.out.println("held");
                System.out.flush();
                System.in.read();
            }
        }
    }

    @Test
    void aSecondProcessIsToldThePidOfTheFirst() throws Exception {
        Path out = tmp.resolve("run");
        Process p =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                Holder.class.getName(),
                                out.toString())
                        .redirectErrorStream(true)
                        .start();
        try {
            BufferedReader r =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("held", r.readLine());
            String m =
                    assertThrows(
                                    FewNerException.class,
                                    () ->
                                            OutputFolder.open(
                                                    out, "eval fewnerd", OutputFolder.Mode.RESUME))
                            .getMessage();
            assertTrue(m.contains("in use by another fewner run (pid " + p.pid() + ","), m);
            assertTrue(m.contains("'fewner eval fewnerd', started "), m);
        } finally {
            p.getOutputStream().close();
            p.waitFor();
        }
        // the first process ended: the folder (created and left empty by it) is gone, and free
        OutputFolder.open(out, "eval fewnerd", OutputFolder.Mode.NEW).close();
    }
}
