package org.fewner.training.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.uima.collection.CollectionReaderDescription;
import org.apache.uima.fit.factory.AnalysisEngineFactory;
import org.apache.uima.fit.pipeline.SimplePipeline;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;

/** Runs a reader into {@link TrainingExampleCollector} and reads its output back. */
public final class ExampleFiles {
    private ExampleFiles() {}

    /** The examples and the collector's report. */
    public record Collected(List<TrainingExample> examples, ExampleReport report) {}

    /**
     * Runs {@code reader} through the collector into {@code target} and reads the result.
     *
     * @param lowerCase lower-case the words
     * @param maxWords longer sentences are skipped and counted
     */
    public static Collected collect(
            CollectionReaderDescription reader,
            String corpus,
            Path target,
            boolean lowerCase,
            int maxWords) {
        try {
            SimplePipeline.runPipeline(
                    reader,
                    AnalysisEngineFactory.createEngineDescription(
                            TrainingExampleCollector.class,
                            TrainingExampleCollector.PARAM_TARGET_LOCATION,
                            target.toString(),
                            TrainingExampleCollector.PARAM_CORPUS,
                            corpus,
                            TrainingExampleCollector.PARAM_LOWER_CASE,
                            lowerCase,
                            TrainingExampleCollector.PARAM_MAX_WORDS,
                            maxWords));
        } catch (FewNerException e) {
            throw e;
        } catch (Exception e) {
            Throwable c = e;
            while (c.getCause() != null && !(c instanceof FewNerException)) {
                c = c.getCause();
            }
            if (c instanceof FewNerException f) {
                throw new FewNerException(f.getMessage(), e);
            }
            throw new FewNerException(
                    corpus + ": cannot read training examples: " + c.getMessage(), e);
        }
        ExampleReport report;
        try {
            report =
                    Json.MAPPER.readValue(
                            TrainingExampleCollector.reportPath(target).toFile(),
                            ExampleReport.class);
        } catch (IOException e) {
            throw new FewNerException(target + ".report.json: unreadable: " + e.getMessage(), e);
        }
        return new Collected(read(target), report);
    }

    /** Reads a JSON-lines file of examples. */
    public static List<TrainingExample> read(Path file) {
        List<TrainingExample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(Json.MAPPER.readValue(line, TrainingExample.class));
                } catch (JsonProcessingException e) {
                    throw new FewNerException(
                            file + ":" + n + ": not a training example: " + Json.problemOf(e), e);
                }
            }
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }
}
