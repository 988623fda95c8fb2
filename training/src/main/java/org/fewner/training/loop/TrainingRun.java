package org.fewner.training.loop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;

/**
 * Where a training run of {@code fewner train} keeps its files, next to the adapter directory
 * {@code OUT}: {@code OUT.work/} (collector output, {@code checkpoint/}), {@code OUT.log.jsonl}
 * (the {@link TrainingLoop}'s log), and the head of its {@code training.json} record.
 */
public final class TrainingRun {
    private TrainingRun() {}

    /** {@code OUT.work}, created. */
    public static Path workDir(Path out) {
        Path work = out.resolveSibling(out.getFileName() + ".work");
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
        return out.resolveSibling(out.getFileName() + ".log.jsonl");
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
