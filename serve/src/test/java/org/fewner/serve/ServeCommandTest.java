package org.fewner.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.fewner.common.FewNerException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code fewner serve --help}, its options, and {@code fewner bench serve} on the tiny model. */
class ServeCommandTest {
    @Test
    void helpListsTheDefaults() {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new ServeCommand());
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("--help"));
        String help = out.toString();
        for (String s :
                new String[] {
                    "--host", "Default: 127.0.0.1", "--port", "Default: 5000", "--model",
                    "Default: default", "--method", "Default: span", "--state", "--support",
                    "--token", "--max-request-size", "Default: 32m", "Remote"
                }) {
            assertTrue(help.contains(s), s + " in:\n" + help);
        }
    }

    @Test
    void optionsMakeTheConfig() {
        ServeCommand c = new ServeCommand();
        new CommandLine(c)
                .parseArgs(
                        "--port",
                        "0",
                        "--max-request-size",
                        "1k",
                        "--token",
                        "t",
                        "--state",
                        "/tmp/s");
        ServeConfig config = c.config();
        assertEquals("127.0.0.1", config.host());
        assertEquals(1024, config.maxRequestBytes());
        assertEquals("t", config.token());
        assertEquals(32L * 1024 * 1024, ServeCommand.size("32m"));
        assertThrows(FewNerException.class, () -> ServeCommand.size("lots"));
    }

    @Test
    void benchServePrintsLatencies() throws Exception {
        assertEquals(300, ServeBenchCommand.document(300).split("\\s+").length);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            int rc =
                    new CommandLine(new ServeBenchCommand())
                            .execute(
                                    "--model", TestServers.model().toString(),
                                    "--method", "test-gazetteer",
                                    "--clients", "2",
                                    "--predicts", "3",
                                    "--trains", "1",
                                    "--workers", "1");
            assertEquals(0, rc);
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("train   (20 annotated sentences, 1 runs): p50 "), out);
        assertTrue(out.contains("predict (300-word document, 2 clients x 3): p50 "), out);
        assertTrue(out.contains(" p95 "), out);
    }
}
