package org.fewner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs {@code fewner} in-process for tests, capturing exit code, stdout and stderr. */
public record CliRun(int code, String out, String err) {

    public static CliRun run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            var cl = FewNer.newCommandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new CliRun(code, buf.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(old);
        }
    }

    /**
     * The run ended as a user error: exit 2 and exactly one line {@code fewner: <message>} holding
     * every fragment, with no stack trace and no Jackson source excerpt.
     */
    public CliRun assertUserError(String... fragments) {
        assertEquals(2, code, "exit code; stderr: " + err);
        String e = err.strip();
        assertTrue(e.startsWith("fewner: "), err);
        assertFalse(e.contains("\n"), "one line expected: " + err);
        assertFalse(e.contains("\tat "), err);
        assertFalse(e.contains("Source:"), err);
        for (String f : fragments) {
            assertTrue(e.contains(f), "expected '" + f + "' in: " + err);
        }
        return this;
    }
}
