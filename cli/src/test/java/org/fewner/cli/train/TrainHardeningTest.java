package org.fewner.cli.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.fewner.cli.CliRun;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.common.OutputFolder;
import org.fewner.llm.decoder.RandomModelWriter;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.span.SpanMethod;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 27 for {@code fewner train}: numeric options and sources checked before any work, output
 * folders that are not its own never touched, layers relative to the model's depth, the backbone
 * recorded in span adapters and checked on load, NaN heads flagged by {@code adapter info}. On a
 * tiny random 2-layer BERT (no default model needed).
 */
class TrainHardeningTest {
    static final List<String> WORDS =
            List.of(
                    "the", "cat", "sat", "on", "mat", "john", "lives", "in", "paris", "a", "dog",
                    "berlin", "is", "big", "acme", "corp", "met", "mary", "at", "google");

    @TempDir static Path shared;
    static Path model;
    static Path source;
    static Path trained;

    static Path bert(Path dir, List<String> extraWords) throws Exception {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(WORDS);
        vocab.addAll(extraWords);
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "bert");
        c.putArray("architectures").add("BertForMaskedLM");
        c.put("vocab_size", vocab.size());
        c.put("hidden_size", 16);
        c.put("num_hidden_layers", 2);
        c.put("num_attention_heads", 4);
        c.put("intermediate_size", 32);
        c.put("hidden_act", "gelu");
        c.put("max_position_embeddings", 64);
        c.put("type_vocab_size", 2);
        c.put("layer_norm_eps", 1e-12);
        c.put("initializer_range", 0.2);
        c.put("do_lower_case", true);
        Files.createDirectories(dir);
        RandomModelWriter.write(c, 3, true, dir, null);
        Files.write(dir.resolve("vocab.txt"), vocab);
        return dir;
    }

    static Path source(Path dir) throws Exception {
        Random r = new Random(1);
        String[][] ents = {
            {"john", "PER"}, {"mary", "PER"}, {"paris", "LOC"}, {"berlin", "LOC"}, {"google", "ORG"}
        };
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < 30; s++) {
            String[] a = ents[r.nextInt(ents.length)];
            String[] b = ents[r.nextInt(ents.length)];
            sb.append(a[0]).append("\tB-").append(a[1]).append('\n');
            sb.append("met\tO\n");
            sb.append(b[0]).append("\tB-").append(b[1]).append('\n');
            sb.append("in\tO\nthe\tO\n").append(r.nextBoolean() ? "cat" : "dog").append("\tO\n\n");
        }
        Path f = dir.resolve("src.txt");
        Files.writeString(f, sb.toString());
        return f;
    }

    /** A short span training on the tiny model, with {@code more} options (they win). */
    static CliRun train(Path out, String... more) {
        List<String> given = List.of(more);
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--method",
                                "span",
                                "--model",
                                model.toString(),
                                "--source",
                                "bio:" + source,
                                "--out",
                                out.toString()));
        String[][] defaults = {
            {"--max-steps", "2"}, {"--ways", "3"}, {"--shots", "1"}, {"--detect-dim", "4"}
        };
        for (String[] d : defaults) {
            if (!given.contains(d[0])) {
                a.add(d[0]);
                a.add(d[1]);
            }
        }
        a.addAll(given);
        return CliRun.run(a.toArray(String[]::new));
    }

    @BeforeAll
    static void trainOnce() throws Exception {
        model = bert(shared.resolve("bert"), List.of());
        source = source(shared);
        trained = shared.resolve("adapter");
        CliRun r = train(trained, "--checkpoint-steps", "1");
        assertEquals(0, r.code(), r.err());
    }

    /** Every entry of {@code dir} (relative), for "nothing was written" checks. */
    static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aTwoLayerEncoderTrainsWithoutLayerOptionsAndTheAdapterRecordsItsBackbone()
            throws Exception {
        JsonNode cfg = Json.readTree(trained.resolve("adapter_config.json"));
        // layers relative to the depth: typing 3/4 of 2 (rounded) = 2, detection the last = 2
        JsonNode rec = Json.readTree(trained.resolve("training.json"));
        assertEquals(2, rec.path("config").path("typeLayer").asInt(), rec.toString());
        assertEquals(2, rec.path("config").path("detectLayer").asInt());
        // --checkpoint-steps reaches the span trainer
        assertEquals(1, rec.path("config").path("checkpointSteps").asInt());
        JsonNode base = cfg.path("fewner_base");
        assertEquals("bert", base.path("model_type").asText(), cfg.toString());
        assertEquals(2, base.path("num_hidden_layers").asInt());
        assertFalse(base.path("vocab_sha256").asText().isEmpty());
        assertEquals("train", OutputFolder.owner(trained));
        // nothing of the lock left beside it
        assertFalse(Files.exists(trained.resolveSibling(".adapter" + OutputFolder.LOCK)));
    }

    @Test
    void anAdapterOfAnotherBackboneIsRefusedWhenOpened() throws Exception {
        Path other = bert(shared.resolve("bert-other"), List.of("extra"));
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                new SpanMethod.Provider()
                                        .create(
                                                MethodOptions.of(
                                                        Map.of(
                                                                MethodOptions.MODEL,
                                                                other.toString(),
                                                                MethodOptions.ADAPTER,
                                                                trained.toString()))));
        assertTrue(e.getMessage().contains("adapter trained on another backbone"), e.getMessage());
        assertTrue(e.getMessage().contains("vocabulary"), e.getMessage());
    }

    @Test
    void badNumbersSourcesAndDevicesAreOneLineErrorsBeforeAnyWork(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("out");
        train(out, "--lr", "NaN").assertUserError("--lr: expected a number above 0");
        train(out, "--lr", "-1").assertUserError("--lr: expected", "got -1");
        train(out, "--max-steps", "-5").assertUserError("--max-steps: expected a positive integer");
        train(out, "--ways", "0").assertUserError("--ways: expected a positive integer, got 0");
        train(out, "--shots", "0").assertUserError("--shots: expected a positive integer, got 0");
        train(out, "--tau", "0").assertUserError("--tau: expected a number above 0");
        train(out, "--threshold", "1.5")
                .assertUserError("--threshold: expected a number from 0 to 1");
        train(out, "--checkpoint-steps", "0").assertUserError("--checkpoint-steps");
        CliRun.run(
                        "train",
                        "--model",
                        model.toString(),
                        "--source",
                        "bio:" + source + "@-3",
                        "--out",
                        out.toString())
                .assertUserError("@-3 must be a positive number of sentences");
        CliRun.run(
                        "train",
                        "--model",
                        model.toString(),
                        "--source",
                        "bio:" + source + "@0",
                        "--out",
                        out.toString())
                .assertUserError("@0 must be a positive number");
        // the test JVM runs the bundled CPU libtorch: no GPU is visible
        train(out, "--device", "gpu").assertUserError("--device 'gpu': no GPU is visible");
        // a --layer beyond the model's depth: one line naming the depth
        train(out, "--layer", "12")
                .assertUserError("--layer 12: the model has layers 0 (embeddings) to 2");
        assertEquals(List.of(""), listing(dir), "nothing written");
    }

    @Test
    void aForeignFolderOrFileIsNeverReplaced(@TempDir Path dir) throws Exception {
        Path v = dir.resolve("v");
        Files.createDirectories(v.resolve("sub"));
        Files.writeString(v.resolve("t.txt"), "x");
        train(v).assertUserError(
                        v + ": exists, is not empty and is not the output of a fewner command");
        train(v, "--overwrite").assertUserError("is not the output of a fewner command");
        assertEquals(List.of("", "sub", "t.txt"), listing(v));
        Path file = dir.resolve("f");
        Files.writeString(file, "mine");
        train(file).assertUserError(file + ": exists and is not a directory");
        assertEquals("mine", Files.readString(file));
        // a stray log beside a fresh --out is not deleted either
        Path log = dir.resolve("w.log.jsonl");
        Files.writeString(log, "mine");
        train(dir.resolve("w")).assertUserError(log + ": exists and is not the log of an earlier");
        assertEquals("mine", Files.readString(log));
        assertEquals(List.of("", "f", "v", "v/sub", "v/t.txt", "w.log.jsonl"), listing(dir));
    }

    @Test
    void itsOwnEarlierOutputNeedsOverwriteAndResumeNeedsACheckpoint(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("a");
        assertEquals(0, train(out).code());
        train(out).assertUserError(out + ": already holds an earlier output of 'fewner train'");
        CliRun again = train(out, "--overwrite");
        assertEquals(0, again.code(), again.err());
        // --resume of a finished run: nothing left to do, the adapter is rewritten in place
        CliRun resumed = train(out, "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        train(dir.resolve("b"), "--resume").assertUserError("no checkpoint to resume from");
        train(out, "--resume", "--overwrite").assertUserError("exclude each other");
        // the work folder carries the marker and no lock is left held
        assertEquals("train", OutputFolder.owner(dir.resolve("a.work")));
    }

    @Test
    void adapterInfoFlagsNonFiniteHeads(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("nan");
        Files.createDirectories(copy);
        try (Stream<Path> s = Files.list(trained)) {
            for (Path f : s.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        CliRun ok = CliRun.run("adapter", "info", copy.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(
                ok.out().contains("\"finite\" : true") || ok.out().contains("\"finite\":true"),
                ok.out());
        Path heads = copy.resolve(LoraAdapter.HEADS_FILE);
        Map<String, HostTensor> t = new TreeMap<>(SafeTensors.readAll(heads));
        String name = t.keySet().iterator().next();
        HostTensor h = t.get(name);
        float[] v = h.toFloats();
        v[0] = Float.NaN;
        t.put(name, HostTensor.ofFloats(h.shape(), v));
        SafeTensors.write(heads, t, Map.of("format", "pt"));
        CliRun bad = CliRun.run("adapter", "info", copy.toString());
        bad.assertUserError(name, "holds NaN at element 0");
        assertTrue(bad.out().contains("non_finite_tensors"), bad.out());
        assertTrue(bad.out().contains(name), bad.out());
    }

    @Test
    void aSecondRunOnTheSameOutIsToldWhoHoldsIt(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("c");
        try (OutputFolder held = org.fewner.training.loop.TrainingRun.claim(out, false, false)) {
            train(out).assertUserError(out + ".work: in use by another fewner run");
        }
        assertFalse(Files.exists(out));
    }
}
