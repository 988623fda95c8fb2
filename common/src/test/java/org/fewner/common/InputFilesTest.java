package org.fewner.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {
    @TempDir Path tmp;

    private static String error(Runnable r) {
        return assertThrows(FewNerException.class, r::run).getMessage();
    }

    @Test
    void aReadableFileIsReturned() throws Exception {
        Path f = Files.writeString(tmp.resolve("f.txt"), "x");
        assertEquals(f, InputFiles.requireFile(f));
    }

    @Test
    void eachWrongKindOfPathHasItsOwnMessage() throws Exception {
        assertEquals(
                "-: reading standard input is not supported here (give a file name)",
                error(() -> InputFiles.requireFile(Path.of("-"))));
        assertEquals(
                tmp + ": is a directory (expected a file)",
                error(() -> InputFiles.requireFile(tmp)));
        Path missing = tmp.resolve("missing.txt");
        assertEquals(missing + ": no such file", error(() -> InputFiles.requireFile(missing)));
        Path fifo = tmp.resolve("fifo");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            assertEquals(
                    fifo + ": not a regular file (a FIFO, socket or device?); expected a file",
                    error(() -> InputFiles.requireFile(fifo)));
        }
    }

    @Test
    void directoriesAreCheckedWithWhatWasExpected() throws Exception {
        assertEquals(tmp, InputFiles.requireDirectory(tmp, "a model"));
        Path f = Files.writeString(tmp.resolve("f.txt"), "x");
        assertEquals(
                f + ": not a directory (expected a model)",
                error(() -> InputFiles.requireDirectory(f, "a model")));
        assertEquals(
                tmp.resolve("none") + ": no such directory (expected a model)",
                error(() -> InputFiles.requireDirectory(tmp.resolve("none"), "a model")));
    }
}
