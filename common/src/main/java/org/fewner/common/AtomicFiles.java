package org.fewner.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Writes that either happen whole or not at all: a file or a directory is written under a temporary
 * sibling name and renamed onto its target at the end, so a crash or a refused input leaves nothing
 * half-written. Created files get the user's umask (plain {@link Files#write}, never {@code
 * createTempFile}, which makes 0600 files).
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Writes {@code text} (UTF-8) to {@code file} through a temporary sibling and an atomic rename.
     */
    public static void writeString(Path file, String text) {
        writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code file} through a temporary sibling and an atomic rename. */
    public static void writeBytes(Path file, byte[] bytes) {
        Path abs = file.toAbsolutePath();
        Path tmp =
                abs.resolveSibling(
                        "." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            Files.write(tmp, bytes);
            move(tmp, abs);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new FewNerException(file + ": cannot write: " + e, e);
        }
    }

    /** What fills a directory that {@link #writeDirectory} creates. */
    @FunctionalInterface
    public interface DirectoryWriter {
        void write(Path dir) throws IOException;
    }

    /**
     * Creates directory {@code target} by letting {@code writer} fill a temporary sibling, then
     * renaming it. If the writer fails, the sibling is removed and {@code target} is untouched. An
     * existing {@code target} is replaced only when {@code replace} is true; otherwise it is an
     * error.
     */
    public static void writeDirectory(Path target, boolean replace, DirectoryWriter writer) {
        Path abs = target.toAbsolutePath();
        if (Files.exists(abs) && !replace) {
            throw new FewNerException(
                    target + ": already exists (choose another output directory)");
        }
        Path tmp =
                abs.resolveSibling(
                        "." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            deleteRecursively(tmp);
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            Files.createDirectory(tmp);
            writer.write(tmp);
            if (Files.exists(abs)) {
                deleteRecursively(abs);
            }
            move(tmp, abs);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new FewNerException(target + ": cannot write: " + e, e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /**
     * {@link #writeDirectory} for a command's output directory: {@code target} must not exist, or
     * be an empty directory (which is then replaced); an existing non-empty directory is refused,
     * so that no user file is ever deleted.
     */
    public static void writeNewDirectory(Path target, DirectoryWriter writer) {
        boolean emptyDir = false;
        if (Files.isDirectory(target)) {
            try (var entries = Files.list(target)) {
                emptyDir = entries.findAny().isEmpty();
            } catch (IOException e) {
                throw new FewNerException(target + ": cannot list: " + e.getMessage(), e);
            }
            if (!emptyDir) {
                throw new FewNerException(
                        target
                                + ": already exists and is not empty (choose a new output directory)");
            }
        } else if (Files.exists(target)) {
            throw new FewNerException(target + ": exists and is not a directory");
        }
        writeDirectory(target, emptyDir, writer);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteRecursively(p);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: the original failure is what the user needs to see
        }
    }

    /** Deletes a file or a directory tree; a missing path is fine. */
    public static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        Files.walkFileTree(
                p,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        Files.delete(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                            throws IOException {
                        Files.delete(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
    }
}
