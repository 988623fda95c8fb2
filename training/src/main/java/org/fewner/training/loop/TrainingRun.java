package org.fewner.training.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.common.OutputFolder;

/**
 * Where a training run of {@code fewner train} keeps its files, next to the adapter directory
 * {@code OUT}: {@code OUT.work/} (collector output, {@code checkpoint/}), {@code OUT.log.jsonl}
 * (the {@link TrainingLoop}'s log), and the head of its {@code training.json} record.
 *
 * <p>Output folders ({@link OutputFolder}): {@code OUT} is written at the end in one go, with the
 * marker of {@value #COMMAND}; a non-empty {@code OUT} that is not an earlier output of {@code
 * train} is refused before any work (never deleted), {@code --overwrite} (or {@code --resume})
 * replaces an earlier one. {@code OUT.work} is claimed for the whole run ({@link #claim}): its lock
 * stops a second run on the same {@code OUT}, saying who holds it.
 */
public final class TrainingRun {
    private TrainingRun() {}

    /** The command recorded in the output folders' markers. */
    public static final String COMMAND = "train";

    /**
     * Checks, before any work, that a run may write {@code out} ({@link OutputFolder#check}: an
     * existing file, a foreign non-empty folder, an earlier output without {@code --overwrite} or
     * {@code --resume} are refused) and that a fresh run will not delete a log it did not write.
     */
    public static void check(Path out, boolean overwrite, boolean resume) {
        OutputFolder.Mode mode = OutputFolder.Mode.of(overwrite, resume);
        OutputFolder.check(out, COMMAND, mode);
        Path work = workPath(out);
        if (Files.exists(work) && !Files.isDirectory(work)) {
            throw new FewNerException(
                    work
                            + ": exists and is not a directory (the training's work folder for "
                            + out
                            + "; nothing was written)");
        }
        if (resume) {
            if (!Files.isRegularFile(
                    checkpointDir(work)
                            .resolve(org.fewner.training.optim.TrainingCheckpoint.JSON))) {
                throw new FewNerException(
                        checkpointDir(work)
                                + ": no checkpoint to resume from (start without --resume)");
            }
            OutputFolder.check(work, COMMAND, mode, TrainingRun::legacyWork);
        } else {
            OutputFolder.check(work, COMMAND, OutputFolder.Mode.OVERWRITE);
            Path log = logFile(out);
            if (Files.exists(log) && !COMMAND.equals(ownerOf(work))) {
                throw new FewNerException(
                        log
                                + ": exists and is not the log of an earlier 'fewner train' into "
                                + out
                                + " (move it away or choose another --out; nothing was written or deleted)");
            }
        }
    }

    /**
     * Claims {@code OUT.work} for the run (after {@link #check}): created when missing, locked
     * until closed; a fresh run empties it (it holds only an earlier run's scratch files).
     */
    public static OutputFolder claim(Path out, boolean overwrite, boolean resume) {
        check(out, overwrite, resume);
        return OutputFolder.open(
                workPath(out),
                COMMAND,
                resume ? OutputFolder.Mode.RESUME : OutputFolder.Mode.OVERWRITE,
                TrainingRun::legacyWork);
    }

    /**
     * Writes the adapter folder {@code out} in one go ({@link OutputFolder#write}); an earlier
     * output of {@code train} is replaced when {@code replace} ({@code --overwrite} or {@code
     * --resume}).
     */
    public static void writeOutput(Path out, boolean replace, AtomicFiles.DirectoryWriter writer) {
        OutputFolder.write(out, COMMAND, replace, writer);
    }

    /** A work folder from before markers: it holds a checkpoint. */
    static boolean legacyWork(Path work) {
        return Files.isDirectory(checkpointDir(work));
    }

    private static String ownerOf(Path dir) {
        return Files.isDirectory(dir) ? OutputFolder.owner(dir) : null;
    }

    /** {@code OUT.work} (not created). */
    public static Path workPath(Path out) {
        Path abs = out.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".work");
    }

    /** {@code OUT.work}, created. */
    public static Path workDir(Path out) {
        Path work = workPath(out);
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new FewNerException(work + ": cannot create: " + e.getMessage(), e);
        }
        return work;
    }

    /** The checkpoint directory inside the work directory. */
    public static Path checkpointDir(Path work) {
        return work.resolve("checkpoint");
    }

    /** {@code OUT.log.jsonl}. */
    public static Path logFile(Path out) {
        Path abs = out.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".log.jsonl");
    }

    /** The record's first fields: command, method, model, software version. */
    public static ObjectNode record(String command, String method, String model, String version) {
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("command", command);
        record.put("method", method);
        record.put("model", model);
        record.put("software_version", version);
        return record;
    }
}
