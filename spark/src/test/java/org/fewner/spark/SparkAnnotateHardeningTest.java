package org.fewner.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fewner.common.FewNerException;
import org.fewner.common.OutputFolder;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 27 for {@code fewner spark annotate}: what the executors failed on (with 180-350 lines of
 * stack traces, leaving an empty {@code --output} that blocked a rerun) is checked on the driver
 * before the job, as one line; a failed run removes the output it created; a foreign folder is
 * never replaced.
 */
class SparkAnnotateHardeningTest {
    @TempDir static Path tmp;
    static SparkSession spark;
    static Path model;
    static Path support;

    @BeforeAll
    static void start() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 16, 7);
        support = tmp.resolve("support.conll");
        Files.writeString(support, FewNerSparkTest.SUPPORT);
        spark =
                SparkSession.builder()
                        .master("local[1]")
                        .appName("SparkAnnotateHardeningTest")
                        .config("spark.ui.enabled", "false")
                        .config("spark.sql.shuffle.partitions", "1")
                        .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static FewNerSparkConfig config() {
        return new FewNerSparkConfig()
                .model(model.toString())
                .support(support.toString(), "conll")
                .method("frozen-prototype") // the tiny test model has no span adapter
                .methodOptions(List.of("layer=2"))
                .batchSize(2);
    }

    static void oneLine(FewNerException e, String... fragments) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void outputFoldersThatAreNotOursOrNotWritableAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("file");
        Files.writeString(file, "mine");
        oneLine(
                assertThrows(FewNerException.class, () -> DriverChecks.output(file, true)),
                file + ": exists and is not a directory");
        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        oneLine(
                assertThrows(FewNerException.class, () -> DriverChecks.output(foreign, true)),
                "is not the output of 'fewner spark annotate'");
        assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
        Path ours = dir.resolve("ours");
        Files.createDirectories(ours);
        Files.writeString(ours.resolve("part-00000.json"), "{}\n");
        OutputFolder.mark(ours, DriverChecks.COMMAND);
        oneLine(
                assertThrows(FewNerException.class, () -> DriverChecks.output(ours, false)),
                "already holds an earlier output",
                "--overwrite replaces it");
        DriverChecks.output(ours, true);
        // Spark's own output from before markers: only part files and _SUCCESS
        Path legacy = dir.resolve("legacy");
        Files.createDirectories(legacy);
        Files.writeString(legacy.resolve("part-00000-x.json"), "{}\n");
        Files.writeString(legacy.resolve("_SUCCESS"), "");
        DriverChecks.output(legacy, true);
        Path locked = dir.resolve("ro");
        Files.createDirectories(locked);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            if (!Files.isWritable(locked)) { // (root may write anyway)
                oneLine(
                        assertThrows(
                                FewNerException.class,
                                () -> DriverChecks.output(locked.resolve("out"), false)),
                        "cannot be written",
                        "is not writable");
            }
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aTruncatedAdapterIsRefusedOnTheDriver(@TempDir Path dir) throws Exception {
        Path adapter = TinyModels.adapter(model, dir.resolve("news"), 3);
        Path weights = adapter.resolve("adapter_model.safetensors");
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        FewNerException e =
                assertThrows(FewNerException.class, () -> DriverChecks.adapter("news", adapter));
        oneLine(e, "adapter_model.safetensors");
        oneLine(
                assertThrows(
                        FewNerException.class,
                        () -> DriverChecks.adapter("x", dir.resolve("missing"))),
                "no such adapter directory");
    }

    @Test
    void invalidUtf8InATextDirectoryIsRefusedOnTheDriver(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("a.txt"), "marie curie visited paris.\n");
        Files.write(in.resolve("b.txt"), new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28});
        oneLine(
                assertThrows(FewNerException.class, () -> DriverChecks.textFiles(in)),
                in.resolve("b.txt") + ": not valid UTF-8: malformed byte sequence at byte 2");
    }

    @Test
    void anUnknownAdapterInTheAdapterColumnIsRefusedBeforeTheJobAndNothingIsLeft(@TempDir Path dir)
            throws Exception {
        Path adapter = TinyModels.adapter(model, dir.resolve("news"), 3);
        Path in = dir.resolve("docs.jsonl");
        Files.writeString(
                in,
                "{\"id\":\"d1\",\"text\":\"marie curie visited paris.\",\"adapter\":\"news\"}\n"
                        + "{\"id\":\"d2\",\"text\":\"john smith met the un.\",\"adapter\":\"legal\"}\n");
        Path out = dir.resolve("out");
        FewNerSparkConfig c = config().adapter("news", adapter.toString()).adapterColumn("adapter");
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () -> SparkAnnotateJob.run(spark, in, out, "jsonl", false, 0, c));
        oneLine(e, "--adapter-column adapter: 'legal' names no adapter (known: news, none");
        assertFalse(Files.exists(out));
    }

    @Test
    void aFailedJobRemovesTheOutputItCreatedAndASuccessfulOneIsMarked(@TempDir Path dir)
            throws Exception {
        Path in = dir.resolve("docs.jsonl");
        Files.writeString(
                in,
                "{\"id\":\"d1\",\"text\":\"marie curie visited paris.\"}\n"
                        + "{\"id\":\"bad\",\"text\":\"paris\\u0000\"}\n");
        Path out = dir.resolve("out");
        assertThrows(
                Exception.class,
                () -> SparkAnnotateJob.run(spark, in, out, "jsonl", false, 0, config()));
        assertFalse(Files.exists(out), "the failed run's --output is gone: a rerun is not blocked");
        Files.writeString(in, "{\"id\":\"d1\",\"text\":\"marie curie visited paris.\"}\n");
        SparkAnnotateJob.run(spark, in, out, "jsonl", false, 0, config());
        assertEquals(DriverChecks.COMMAND, OutputFolder.owner(out));
        // a rerun: refused without --overwrite, replaced with it
        assertThrows(
                FewNerException.class,
                () -> SparkAnnotateJob.run(spark, in, out, "jsonl", false, 0, config()));
        SparkAnnotateJob.run(spark, in, out, "jsonl", true, 0, config());
        assertEquals(DriverChecks.COMMAND, OutputFolder.owner(out));
    }

    @Test
    void aJsonLineCutInHalfIsRefusedNamingTheLine(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("docs.jsonl");
        Files.writeString(
                in,
                "{\"id\":\"d1\",\"text\":\"marie curie visited paris.\"}\n"
                        + "{\"id\":\"d2\",\"text\":\"john sm\n");
        oneLine(
                assertThrows(FewNerException.class, () -> DriverChecks.jsonLines(in)),
                in + ":2: not a JSON object (a line cut short?)");
        Files.write(in, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}', '\n'});
        oneLine(
                assertThrows(FewNerException.class, () -> DriverChecks.jsonLines(in)),
                in + ":1: not valid UTF-8");
    }

    @Test
    void aSecondRunOnTheSameOutputIsToldWhoHoldsIt(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("docs.jsonl");
        Files.writeString(in, "{\"id\":\"d1\",\"text\":\"marie curie visited paris.\"}\n");
        Path out = dir.resolve("out");
        try (AutoCloseable held = OutputFolder.lock(out, DriverChecks.COMMAND)) {
            oneLine(
                    assertThrows(
                            FewNerException.class,
                            () ->
                                    SparkAnnotateJob.run(
                                            spark, in, out, "jsonl", false, 0, config())),
                    out + ": in use by another fewner run");
        }
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve(".out" + OutputFolder.LOCK)));
    }
}
