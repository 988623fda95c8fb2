package org.fewner.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFolderTest {
    @TempDir Path tmp;

    private static String msg(Runnable r) {
        return assertThrows(FewNerException.class, r::run).getMessage();
    }

    @Test
    void writeCreatesTheFolderWithItsMarker() throws IOException {
        Path out = tmp.resolve("out");
        OutputFolder.write(out, "adapter init", false, d -> Files.writeString(d.resolve("a"), "1"));
        assertEquals("1", Files.readString(out.resolve("a")));
        assertEquals("adapter init", OutputFolder.owner(out));
        // the lock file beside is gone again
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void aFolderOfTheUserIsNeverWrittenIntoNorDeleted() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(out.resolve("thesis.tex"), "precious");
        for (boolean overwrite : new boolean[] {false, true}) {
            String m = msg(() -> OutputFolder.write(out, "model random", overwrite, d -> {}));
            assertTrue(m.contains("not the output of a fewner command"), m);
        }
        for (OutputFolder.Mode mode : OutputFolder.Mode.values()) {
            msg(() -> OutputFolder.open(out, "eval fewnerd", mode).close());
        }
        assertEquals("precious", Files.readString(out.resolve("thesis.tex")));
        try (var s = Files.list(out)) {
            assertEquals(1, s.count(), "nothing added");
        }
    }

    @Test
    void anExistingFileIsRefused() throws IOException {
        Path f = Files.writeString(tmp.resolve("f.txt"), "x");
        String m = msg(() -> OutputFolder.write(f, "adapter init", true, d -> {}));
        assertTrue(m.contains("is not a directory"), m);
        msg(() -> OutputFolder.open(f, "eval fewnerd", OutputFolder.Mode.OVERWRITE));
        assertEquals("x", Files.readString(f));
    }

    @Test
    void overwriteReplacesOnlyTheSameCommandsOutput() throws IOException {
        Path out = tmp.resolve("out");
        OutputFolder.write(out, "adapter init", false, d -> Files.writeString(d.resolve("a"), "1"));
        String again = msg(() -> OutputFolder.write(out, "adapter init", false, d -> {}));
        assertTrue(again.contains("--overwrite replaces it"), again);
        String other = msg(() -> OutputFolder.write(out, "model random", true, d -> {}));
        assertTrue(other.contains("holds the output of 'fewner adapter init'"), other);
        OutputFolder.write(out, "adapter init", true, d -> Files.writeString(d.resolve("b"), "2"));
        assertFalse(Files.exists(out.resolve("a")));
        assertEquals("2", Files.readString(out.resolve("b")));
    }

    @Test
    void aFailedWriteLeavesNothing() {
        Path out = tmp.resolve("out");
        assertThrows(
                IllegalStateException.class,
                () ->
                        OutputFolder.write(
                                out,
                                "adapter init",
                                false,
                                d -> {
                                    Files.writeString(d.resolve("a"), "1");
                                    throw new IllegalStateException("boom");
                                }));
        assertFalse(Files.exists(out));
    }

    @Test
    void aSecondRunIsToldWhoHoldsTheFolder() throws IOException {
        Path out = tmp.resolve("run");
        try (OutputFolder first = OutputFolder.open(out, "eval fewnerd", OutputFolder.Mode.NEW)) {
            Files.writeString(first.path().resolve("predictions.jsonl"), "{}\n");
            String m = msg(() -> OutputFolder.open(out, "eval fewnerd", OutputFolder.Mode.RESUME));
            assertTrue(m.contains("in use by another fewner run"), m);
            assertTrue(m.contains("pid " + ProcessHandle.current().pid()), m);
            assertTrue(m.contains("'fewner eval fewnerd'"), m);
            assertTrue(m.contains("started 20"), m);
        }
        // released: a resume of one's own folder goes ahead
        try (OutputFolder again =
                OutputFolder.open(out, "eval fewnerd", OutputFolder.Mode.RESUME)) {
            assertTrue(Files.exists(again.path().resolve("predictions.jsonl")));
        }
        String m = msg(() -> OutputFolder.open(out, "eval fewnerd", OutputFolder.Mode.NEW));
        assertTrue(m.contains("--resume continues it") || m.contains("--overwrite"), m);
        String other = msg(() -> OutputFolder.open(out, "eval kshot", OutputFolder.Mode.RESUME));
        assertTrue(other.contains("not of 'fewner eval kshot'"), other);
    }

    @Test
    void overwriteEmptiesTheOwnFolderInPlace() throws IOException {
        Path out = tmp.resolve("run");
        try (OutputFolder f = OutputFolder.open(out, "eval fewnerd", OutputFolder.Mode.NEW)) {
            Files.writeString(f.path().resolve("old.txt"), "x");
        }
        try (OutputFolder f = OutputFolder.open(out, "eval fewnerd", OutputFolder.Mode.OVERWRITE)) {
            assertFalse(Files.exists(f.path().resolve("old.txt")));
            assertEquals("eval fewnerd", OutputFolder.owner(out));
        }
    }

    @Test
    void aFolderCreatedAndLeftEmptyIsRemovedAndAnEmptyOneIsFree() throws IOException {
        Path out = tmp.resolve("never-used");
        try (OutputFolder f = OutputFolder.open(out, "eval fewnerd", OutputFolder.Mode.NEW)) {
            assertTrue(f.created());
        }
        assertFalse(Files.exists(out));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        try (OutputFolder f = OutputFolder.open(empty, "eval fewnerd", OutputFolder.Mode.NEW)) {
            assertFalse(f.created());
        }
        assertTrue(Files.isDirectory(empty), "a folder the user made is kept");
    }

    @Test
    void legacyOutputsWithoutAMarkerMayBeResumed() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("old-run"));
        Files.writeString(out.resolve("checkpoint.json"), "{}");
        OutputFolder.check(
                out,
                "eval fewnerd",
                OutputFolder.Mode.RESUME,
                d -> Files.exists(d.resolve("checkpoint.json")));
        msg(
                () ->
                        OutputFolder.check(
                                out,
                                "eval fewnerd",
                                OutputFolder.Mode.OVERWRITE,
                                d -> Files.exists(d.resolve("checkpoint.json"))));
        String both = msg(() -> OutputFolder.Mode.of(true, true));
        assertTrue(both.contains("exclude each other"), both);
    }
}
