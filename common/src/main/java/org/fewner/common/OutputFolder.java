package org.fewner.common;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A command's output folder, claimed so that no command deletes what it did not create and no two
 * runs write one folder at once.
 *
 * <ul>
 *   <li><b>Marker.</b> Every folder a command writes holds {@value #MARKER} (JSON: the command, the
 *       time, the version). A folder without it that is not empty is never written into, replaced
 *       or deleted; {@code --overwrite} replaces only a folder whose marker names the same command;
 *       {@code --resume} continues only one's own folder. An existing file given as the folder is
 *       refused.
 *   <li><b>Lock.</b> The run holds an exclusive {@link FileChannel#tryLock} on a lock file ({@value
 *       #LOCK} inside the folder for {@link #open}, a hidden sibling for {@link #write}) that
 *       records its pid, command and start time; a second run on the same folder stops at once,
 *       saying who holds it. The operating system drops the lock when the process dies, so a killed
 *       run never blocks the next.
 *   <li><b>Atomic.</b> {@link #write} fills a temporary sibling and renames it into place at the
 *       end ({@link AtomicFiles#writeDirectory}): a failure leaves nothing. {@link #open} is for
 *       commands that write in place (checkpoints, {@code --resume}); a folder it created that
 *       holds nothing but its marker when closed is removed again.
 * </ul>
 *
 * <p>Files named {@code .fewner-*} do not count as content: a folder holding only those is empty.
 *
 * <pre>{@code
 * // a command that writes its folder in one go
 * OutputFolder.write(out, "adapter init", overwrite, dir -> writeFiles(dir));
 *
 * // a command that writes in place and may resume
 * try (OutputFolder folder = OutputFolder.open(out, "eval fewnerd", OutputFolder.Mode.of(overwrite, resume))) {
 *     ... write into folder.path() ...
 * }
 *
 * // options checked before any work (no side effect): the same refusals, earlier
 * OutputFolder.check(out, "eval fewnerd", mode);
 * }</pre>
 */
public final class OutputFolder implements AutoCloseable {
    /** The marker file every command writes into its output folder. */
    public static final String MARKER = ".fewner-output";

    /** The lock file inside a folder written in place. */
    public static final String LOCK = ".fewner-lock";

    /** What the run may do with an existing folder. */
    public enum Mode {
        /** The folder must not exist, or be empty. */
        NEW,
        /** An earlier output of the same command is replaced (its contents deleted first). */
        OVERWRITE,
        /** An earlier output of the same command is continued. */
        RESUME;

        /** From the two flags of a command line; both at once is an error. */
        public static Mode of(boolean overwrite, boolean resume) {
            if (overwrite && resume) {
                throw new FewNerException(
                        "--overwrite and --resume exclude each other (replace the earlier run, or continue it)");
            }
            return overwrite ? OVERWRITE : resume ? RESUME : NEW;
        }
    }

    private final Path dir;
    private final String command;
    private final boolean created;
    private final Held lock;

    private OutputFolder(Path dir, String command, boolean created, Held lock) {
        this.dir = dir;
        this.command = command;
        this.created = created;
        this.lock = lock;
    }

    /** The folder. */
    public Path path() {
        return dir;
    }

    /** Whether this run created the folder. */
    public boolean created() {
        return created;
    }

    /**
     * Checks, without writing anything, that {@code command} may write {@code dir} in {@code mode}:
     * what a command calls with its other option checks, before any work.
     */
    public static void check(Path dir, String command, Mode mode) {
        check(dir, command, mode, null);
    }

    /**
     * {@link #check}, where {@code legacy} (may be null) accepts for {@link Mode#RESUME} a folder
     * without a marker that holds an earlier output of the command written before markers existed
     * (e.g. one holding an evaluation's {@code checkpoint.json}); its presence also makes the
     * messages mention {@code --resume}.
     */
    public static void check(Path dir, String command, Mode mode, Predicate<Path> legacy) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new FewNerException(
                    dir
                            + ": exists and is not a directory (expected an output directory; nothing was written)");
        }
        if (!Files.isDirectory(dir) || contents(dir).isEmpty()) {
            return;
        }
        String resumeHint = legacy != null ? ", --resume continues it" : "";
        JsonNode marker = readMarker(dir);
        if (marker == null) {
            if (mode == Mode.RESUME && legacy != null && legacy.test(dir)) {
                return;
            }
            throw new FewNerException(
                    dir
                            + ": exists, is not empty and is not the output of a fewner command "
                            + "(choose a new output directory; nothing was written or deleted)");
        }
        String owner = marker.path("command").asText("?");
        if (!owner.equals(command)) {
            throw new FewNerException(
                    dir
                            + ": holds the output of 'fewner "
                            + owner
                            + "', not of 'fewner "
                            + command
                            + "' (choose another output directory; nothing was written or deleted)");
        }
        if (mode == Mode.NEW) {
            throw new FewNerException(
                    dir
                            + ": already holds an earlier output of 'fewner "
                            + command
                            + "' (--overwrite replaces it"
                            + resumeHint
                            + "; or choose another output directory)");
        }
    }

    /**
     * Claims {@code dir} for a command that writes in place: checks it ({@link #check}), creates it
     * when missing, takes its lock (or stops saying who holds it), empties it for {@link
     * Mode#OVERWRITE} and writes the marker. Close it when the command ends (releases the lock).
     */
    public static OutputFolder open(Path dir, String command, Mode mode) {
        return open(dir, command, mode, null);
    }

    /** {@link #open} with a {@code legacy} predicate as in {@link #check}. */
    public static OutputFolder open(Path dir, String command, Mode mode, Predicate<Path> legacy) {
        check(dir, command, mode, legacy);
        boolean created = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new FewNerException(dir + ": cannot create: " + e.getMessage(), e);
        }
        Held held = Held.acquire(dir.resolve(LOCK), dir, command);
        try {
            check(dir, command, mode, legacy); // again, now that no other run can change it
            if (mode == Mode.OVERWRITE) {
                for (Path p : contents(dir)) {
                    AtomicFiles.deleteRecursively(p);
                }
            }
            writeMarker(dir, command);
        } catch (IOException e) {
            held.release(false);
            throw new FewNerException(dir + ": cannot write: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            held.release(false);
            if (created) {
                deleteIfOnlyOurs(dir);
            }
            throw e;
        }
        return new OutputFolder(dir, command, created, held);
    }

    /**
     * Writes a command's output folder in one go: checks {@code dir} ({@link #check}, {@link
     * Mode#OVERWRITE} when {@code overwrite}), locks it, lets {@code writer} fill a temporary
     * sibling, adds the marker and renames it into place (replacing the earlier output only when
     * allowed). A failure leaves {@code dir} as it was.
     */
    public static void write(
            Path dir, String command, boolean overwrite, AtomicFiles.DirectoryWriter writer) {
        Mode mode = overwrite ? Mode.OVERWRITE : Mode.NEW;
        check(dir, command, mode);
        Path abs = dir.toAbsolutePath();
        Path lockFile = abs.resolveSibling("." + abs.getFileName() + LOCK);
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
        } catch (IOException e) {
            throw new FewNerException(dir + ": cannot create its parent: " + e.getMessage(), e);
        }
        Held held = Held.acquire(lockFile, dir, command);
        try {
            check(dir, command, mode);
            AtomicFiles.writeDirectory(
                    dir,
                    Files.isDirectory(dir),
                    tmp -> {
                        writer.write(tmp);
                        writeMarker(tmp, command);
                    });
        } finally {
            held.release(true);
        }
    }

    /** Releases the lock; a folder this run created that holds nothing else is removed. */
    @Override
    public void close() {
        lock.release(false);
        if (created) {
            deleteIfOnlyOurs(dir);
        }
    }

    /**
     * Holds the lock of a folder that another tool writes in place (Spark writes {@code spark
     * annotate}'s output itself): the hidden sibling lock file of {@link #write}, so that a second
     * run on the same folder stops at once, saying who holds it. Close it when the run ends (the
     * lock file is removed).
     */
    public static AutoCloseable lock(Path dir, String command) {
        Path abs = dir.toAbsolutePath();
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
        } catch (IOException e) {
            throw new FewNerException(dir + ": cannot create its parent: " + e.getMessage(), e);
        }
        Held held = Held.acquire(abs.resolveSibling("." + abs.getFileName() + LOCK), dir, command);
        return () -> held.release(true);
    }

    /**
     * Writes the marker of {@code command} into {@code dir}, a folder written by a tool that does
     * not go through {@link #open} or {@link #write} (Spark writes {@code spark annotate}'s output
     * itself): a later {@code --overwrite} of the same command may then replace it.
     */
    public static void mark(Path dir, String command) {
        try {
            writeMarker(dir, command);
        } catch (IOException e) {
            throw new FewNerException(dir + ": cannot write its marker: " + e.getMessage(), e);
        }
    }

    /** The command recorded in {@code dir}'s marker, or null when it has none. */
    public static String owner(Path dir) {
        JsonNode m = readMarker(dir);
        return m == null ? null : m.path("command").asText(null);
    }

    /** What {@code dir} holds besides the {@code .fewner-*} files. */
    public static List<Path> contents(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = new ArrayList<>();
            s.filter(p -> !p.getFileName().toString().startsWith(".fewner-")).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new FewNerException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static void deleteIfOnlyOurs(Path dir) {
        try {
            if (Files.isDirectory(dir) && contents(dir).isEmpty()) {
                AtomicFiles.deleteRecursively(dir);
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: an empty folder left behind holds nothing of the user's
        }
    }

    private static JsonNode readMarker(Path dir) {
        Path m = dir.resolve(MARKER);
        if (!Files.isRegularFile(m)) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(Files.readString(m, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode().put("command", "?");
        }
    }

    private static void writeMarker(Path dir, String command) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command);
        m.put("written", Instant.now().toString());
        m.put("note", "written by fewner: --overwrite may replace this folder");
        Files.writeString(dir.resolve(MARKER), Json.line(m) + "\n", StandardCharsets.UTF_8);
    }

    /** A lock held on a lock file. */
    private static final class Held {
        private final Path file;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(Path file, FileChannel channel, FileLock lock) {
            this.file = file;
            this.channel = channel;
            this.lock = lock;
        }

        static Held acquire(Path file, Path dir, String command) {
            FileChannel ch;
            try {
                ch =
                        FileChannel.open(
                                file,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.READ,
                                StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new FewNerException(
                        dir + ": cannot create its lock file " + file + ": " + e.getMessage(), e);
            }
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very JVM (another command run in-process)
            } catch (IOException e) {
                closeQuietly(ch);
                throw new FewNerException(dir + ": cannot lock " + file + ": " + e.getMessage(), e);
            }
            if (lock == null) {
                String holder = holder(ch);
                closeQuietly(ch);
                throw new FewNerException(
                        dir
                                + ": in use by another fewner run ("
                                + holder
                                + "); wait for it to end or choose another output directory");
            }
            try {
                Map<String, Object> who = new LinkedHashMap<>();
                who.put("pid", ProcessHandle.current().pid());
                who.put("command", "fewner " + command);
                who.put("started", Instant.now().toString());
                byte[] b = (Json.line(who) + "\n").getBytes(StandardCharsets.UTF_8);
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(b), 0);
                ch.force(false);
            } catch (IOException e) {
                // the lock holds without the note; a second run then says less about us
            }
            return new Held(file, ch, lock);
        }

        private static String holder(FileChannel ch) {
            try {
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), 4096));
                ch.read(buf, 0);
                JsonNode n = Json.MAPPER.readTree(new String(buf.array(), StandardCharsets.UTF_8));
                return "pid "
                        + n.path("pid").asText("?")
                        + ", '"
                        + n.path("command").asText("?")
                        + "', started "
                        + n.path("started").asText("?");
            } catch (IOException | RuntimeException e) {
                return "its details unreadable";
            }
        }

        void release(boolean deleteFile) {
            try {
                if (deleteFile) {
                    Files.deleteIfExists(file);
                }
                lock.release();
            } catch (IOException ignored) {
                // closing the channel below releases it as well
            }
            closeQuietly(channel);
        }

        private static void closeQuietly(FileChannel ch) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
