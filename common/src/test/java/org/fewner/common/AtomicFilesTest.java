package org.fewner.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path tmp;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeStringReplacesTheFileAndLeavesNoTemporaryFile() throws Exception {
        Path f = tmp.resolve("sub/a.txt");
        AtomicFiles.writeString(f, "one");
        AtomicFiles.writeString(f, "two");
        assertEquals("two", Files.readString(f));
        assertEquals(List.of("sub"), names());
        try (Stream<Path> s = Files.list(tmp.resolve("sub"))) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void aFailingDirectoryWriterLeavesTheTargetUntouchedAndNothingBehind() throws Exception {
        Path out = tmp.resolve("out");
        AtomicFiles.writeDirectory(out, false, d -> Files.writeString(d.resolve("x"), "1"));
        assertThrows(
                IllegalStateException.class,
                () ->
                        AtomicFiles.writeDirectory(
                                out,
                                true,
                                d -> {
                                    Files.writeString(d.resolve("y"), "2");
                                    throw new IllegalStateException("writer failed");
                                }));
        assertEquals("1", Files.readString(out.resolve("x")));
        assertFalse(Files.exists(out.resolve("y")));
        assertEquals(List.of("out"), names());
    }

    @Test
    void anExistingDirectoryIsReplacedOnlyWhenAsked() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("keep"), "k");
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () -> AtomicFiles.writeDirectory(out, false, d -> {}));
        assertEquals(out + ": already exists (choose another output directory)", e.getMessage());
        assertTrue(Files.exists(out.resolve("keep")));
    }

    @Test
    void writeNewDirectoryRefusesANonEmptyDirectoryOrAFileAndTakesAnEmptyOne() throws Exception {
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("user-file"), "mine");
        assertEquals(
                full + ": already exists and is not empty (choose a new output directory)",
                assertThrows(
                                FewNerException.class,
                                () -> AtomicFiles.writeNewDirectory(full, d -> {}))
                        .getMessage());
        assertEquals("mine", Files.readString(full.resolve("user-file")));
        Path file = Files.writeString(tmp.resolve("file"), "f");
        assertEquals(
                file + ": exists and is not a directory",
                assertThrows(
                                FewNerException.class,
                                () -> AtomicFiles.writeNewDirectory(file, d -> {}))
                        .getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        AtomicFiles.writeNewDirectory(empty, d -> Files.writeString(d.resolve("r"), "r"));
        assertEquals("r", Files.readString(empty.resolve("r")));
    }
}
