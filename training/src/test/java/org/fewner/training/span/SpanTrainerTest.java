package org.fewner.training.span;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.ner.Mention;
import org.fewner.ner.span.SpanHeads;
import org.fewner.training.data.TrainingExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer on synthetic features: losses fall, runs are bit-identical, resume replays. */
public class SpanTrainerTest {
    static final int H = 8;

    /** Synthetic corpus: words "tN" of type N carry feature direction N; others are noise. */
    public static List<TrainingExample> corpus(int n, long seed) {
        Random r = new Random(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> w = new ArrayList<>();
            List<Mention> m = new ArrayList<>();
            int len = 4 + r.nextInt(5);
            for (int j = 0; j < len; j++) {
                w.add("w" + r.nextInt(20));
            }
            int types = 1 + r.nextInt(2);
            int pos = 0;
            for (int k = 0; k < types && pos < len - 1; k++) {
                int t = r.nextInt(4);
                int start = pos + r.nextInt(2);
                if (start >= len) {
                    break;
                }
                w.set(start, "t" + t);
                m.add(new Mention(start, start + 1, "type" + t));
                pos = start + 2;
            }
            out.add(new TrainingExample("s" + i, "syn", w, m));
        }
        return out;
    }

    public static FeatureStore store(List<TrainingExample> ex) {
        FeatureStore fs = new FeatureStore(new int[] {1, 2}, H);
        for (TrainingExample e : ex) {
            if (fs.contains(e.words())) {
                continue;
            }
            float[][] f = new float[2][e.words().size() * H];
            for (int j = 0; j < e.words().size(); j++) {
                String w = e.words().get(j);
                Random r = new Random(w.hashCode());
                for (int d = 0; d < H; d++) {
                    float v = (float) r.nextGaussian() * 0.3f;
                    if (w.startsWith("t") && d == Integer.parseInt(w.substring(1))) {
                        v += 2f;
                    }
                    f[0][j * H + d] = v;
                    f[1][j * H + d] = v * 0.5f + 0.1f;
                }
            }
            fs.put(e.words(), f);
        }
        return fs;
    }

    public static SpanTrainingConfig config(int steps, String adv) throws Exception {
        ObjectNode c = Json.MAPPER.valueToTree(SpanTrainingConfig.defaults());
        c.put("detectLayer", 1);
        c.put("typeLayer", 2);
        c.put("maxWidth", 3);
        c.put("detectDim", 6);
        c.put("typeDim", 5);
        c.put("ways", 3);
        c.put("shots", 1);
        c.put("queryShots", 1);
        c.put("extraSentences", 2);
        c.put("maxSteps", steps);
        c.put("warmup", 2);
        c.put("lr", 0.01);
        c.put("adv", adv);
        c.put("boundaryWeight", 0.1);
        c.put("checkpointSteps", 3);
        return Json.MAPPER.treeToValue(c, SpanTrainingConfig.class);
    }

    static Map<String, HostTensor> train(SpanTrainingConfig c, Path dir) {
        List<TrainingExample> ex = corpus(60, 1);
        SpanTrainer t = new SpanTrainer(c, ex, store(ex));
        try (NDManager m = NDManager.newBaseManager()) {
            t.run(m, dir.resolve("log.jsonl"), dir.resolve("ckpt"), -1, null);
        }
        return t.heads();
    }

    @Test
    void everyLossTermIsComputedAndDetectionLearns(@TempDir Path dir) throws Exception {
        SpanTrainingConfig c = config(60, "pgd");
        List<TrainingExample> ex = corpus(60, 1);
        SpanTrainer t = new SpanTrainer(c, ex, store(ex));
        List<Double> detect = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            t.run(
                    m,
                    dir.resolve("log.jsonl"),
                    dir.resolve("ckpt"),
                    -1,
                    s -> detect.add(t.lastLosses().get("detect")));
        }
        Map<String, Double> last = t.lastLosses();
        assertNotNull(last.get("episode"));
        assertNotNull(last.get("infonce"));
        assertNotNull(last.get("boundary"));
        assertNotNull(last.get("adv_sum"));
        double first = detect.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
        double end = detect.subList(55, 60).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(end < first * 0.7, "detection loss must fall: " + first + " -> " + end);
        assertEquals(60, Files.readAllLines(dir.resolve("log.jsonl")).size());
        // the trained heads detect the synthetic entities through the plain-Java inference
        SpanHeads heads = new SpanHeads(t.headsConfig(), t.heads());
        FeatureStore fs = store(ex);
        int found = 0;
        int gold = 0;
        for (TrainingExample e : ex.subList(0, 20)) {
            float[] x = fs.get(e.words(), 1);
            var det = heads.detect(x, e.words().size());
            for (Mention m : e.mentions()) {
                gold++;
                if (det.stream().anyMatch(d -> d.start() == m.start() && d.end() == m.end())) {
                    found++;
                }
            }
        }
        assertTrue(found > gold * 0.6, "detected " + found + " of " + gold);
    }

    @Test
    void sameSeedSameHeadsBitForBit(@TempDir Path dir) throws Exception {
        SpanTrainingConfig c = config(8, "fgm");
        Map<String, HostTensor> a = train(c, dir.resolve("a"));
        Map<String, HostTensor> b = train(c, dir.resolve("b"));
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v.toFloats(), b.get(k).toFloats(), k));
        Map<String, HostTensor> other =
                train(
                        Json.MAPPER.treeToValue(
                                ((ObjectNode) Json.MAPPER.valueToTree(c)).put("seed", 7),
                                SpanTrainingConfig.class),
                        dir.resolve("c"));
        assertFalse(
                java.util.Arrays.equals(
                        a.get(SpanHeads.DETECT_START).toFloats(),
                        other.get(SpanHeads.DETECT_START).toFloats()));
    }

    @Test
    void resumeFromACheckpointGivesTheSameHeads(@TempDir Path dir) throws Exception {
        SpanTrainingConfig c = config(9, "fgm");
        Map<String, HostTensor> full = train(c, dir.resolve("full"));
        List<TrainingExample> ex = corpus(60, 1);
        Path d = dir.resolve("killed");
        Files.createDirectories(d);
        SpanTrainer first = new SpanTrainer(c, ex, store(ex));
        try (NDManager m = NDManager.newBaseManager()) {
            // "killed" after 5 steps: the last checkpoint is at step 3
            first.run(m, d.resolve("log.jsonl"), d.resolve("ckpt"), 5, null);
        }
        SpanTrainer second = new SpanTrainer(c, ex, store(ex));
        second.restore(d.resolve("ckpt"));
        assertEquals(3, second.step());
        try (NDManager m = NDManager.newBaseManager()) {
            second.run(m, d.resolve("log.jsonl"), d.resolve("ckpt"), -1, null);
        }
        Map<String, HostTensor> resumed = second.heads();
        full.forEach((k, v) -> assertArrayEquals(v.toFloats(), resumed.get(k).toFloats(), k));
    }

    @Test
    void resumeWithOtherSettingsIsRefused(@TempDir Path dir) throws Exception {
        SpanTrainingConfig c = config(3, "none");
        train(c, dir);
        List<TrainingExample> ex = corpus(60, 1);
        SpanTrainer other = new SpanTrainer(config(4, "none"), ex, store(ex));
        FewNerException e =
                assertThrows(FewNerException.class, () -> other.restore(dir.resolve("ckpt")));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    @Test
    void projectionMeanReadsTheSpanMeanAndTypesBetterThanChance(@TempDir Path dir)
            throws Exception {
        ObjectNode c = Json.MAPPER.valueToTree(config(60, "fgm"));
        c.put("typing", "projection-mean");
        SpanTrainingConfig cfg = Json.MAPPER.treeToValue(c, SpanTrainingConfig.class);
        assertEquals(3, cfg.typeInputs());
        Map<String, HostTensor> heads = train(cfg, dir);
        assertEquals(
                List.of(3L * H, 5L),
                java.util.Arrays.stream(heads.get(SpanHeads.TYPE_PROJ).shape()).boxed().toList());
        // nearest type centroid of the projected gold spans (plain-Java inference) on held-out
        // sentences: 4 types, chance 25 %
        SpanHeads h =
                new SpanHeads(
                        new SpanTrainer(cfg, corpus(4, 1), store(corpus(4, 1))).headsConfig(),
                        heads);
        List<TrainingExample> test = corpus(80, 7);
        FeatureStore fs = store(test);
        Map<String, float[]> sum = new java.util.TreeMap<>();
        List<Object[]> rows = new ArrayList<>();
        for (TrainingExample e : test) {
            float[] x = fs.get(e.words(), 2);
            for (Mention m : e.mentions()) {
                float[] z = h.represent(x, H, m.start(), m.end());
                rows.add(new Object[] {m.label(), z});
                float[] acc = sum.computeIfAbsent(m.label(), k -> new float[z.length]);
                for (int j = 0; j < z.length; j++) {
                    acc[j] += z[j];
                }
            }
        }
        int right = 0;
        for (Object[] r : rows) {
            float[] z = (float[]) r[1];
            String best = null;
            double bestCos = Double.NEGATIVE_INFINITY;
            for (var en : sum.entrySet()) {
                float[] p = SpanHeads.normalise(en.getValue().clone());
                double cos = 0;
                for (int j = 0; j < z.length; j++) {
                    cos += z[j] * p[j];
                }
                if (cos > bestCos) {
                    bestCos = cos;
                    best = en.getKey();
                }
            }
            right += best.equals(r[0]) ? 1 : 0;
        }
        assertTrue(right > rows.size() * 0.6, "typed " + right + " of " + rows.size());
    }

    @Test
    void boundaryContextTrainsAndTheLossMatchesThePlainJavaScores(@TempDir Path dir)
            throws Exception {
        ObjectNode c = Json.MAPPER.valueToTree(config(60, "fgm"));
        c.put("detectContext", true);
        SpanTrainingConfig cfg = Json.MAPPER.treeToValue(c, SpanTrainingConfig.class);
        List<TrainingExample> ex = corpus(60, 1);
        SpanTrainer t = new SpanTrainer(cfg, ex, store(ex));
        try (NDManager m = NDManager.newBaseManager()) {
            t.run(m, dir.resolve("log.jsonl"), dir.resolve("ckpt"), -1, null);
        }
        Map<String, HostTensor> heads = t.heads();
        assertEquals(
                List.of((long) H, 6L),
                java.util.Arrays.stream(heads.get(SpanHeads.DETECT_LEFT).shape()).boxed().toList());
        assertEquals(
                List.of(2L, 6L),
                java.util.Arrays.stream(heads.get(SpanHeads.DETECT_EDGES).shape())
                        .boxed()
                        .toList());
        SpanHeads h = new SpanHeads(t.headsConfig(), heads);
        // the autograd loss of two sentences equals the binary cross-entropy of the plain-Java
        // probabilities of the same candidates (context rows cross no sentence boundary)
        FeatureStore fs = store(ex);
        SpanBatch b = new SpanBatch();
        b.addSentence(ex.get(0));
        b.addSentence(ex.get(1));
        b.addDetectionCandidates(cfg.maxWidth());
        double expected = 0;
        int n = 0;
        for (TrainingExample e : ex.subList(0, 2)) {
            for (SpanHeads.Candidate cand : h.scoreSpans(fs.get(e.words(), 1), e.words().size())) {
                boolean gold =
                        e.mentions().stream()
                                .anyMatch(
                                        mm -> mm.start() == cand.start() && mm.end() == cand.end());
                expected -= Math.log(gold ? cand.probability() : 1 - cand.probability());
                n++;
            }
        }
        expected /= n;
        float[] xd = new float[b.rows * H];
        for (int s = 0; s < 2; s++) {
            float[] f = fs.get(ex.get(s).words(), 1);
            System.arraycopy(f, 0, xd, b.offsets.get(s) * H, f.length);
        }
        ObjectNode detectOnly = Json.MAPPER.valueToTree(cfg);
        detectOnly.put("typing", "mean");
        SpanTrainingConfig dc = Json.MAPPER.treeToValue(detectOnly, SpanTrainingConfig.class);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, ai.djl.ndarray.NDArray> p = new java.util.LinkedHashMap<>();
            heads.forEach(
                    (k, v) ->
                            p.put(
                                    k,
                                    m.create(
                                            v.toFloats(),
                                            new ai.djl.ndarray.types.Shape(v.shape()))));
            var x = m.create(xd, new ai.djl.ndarray.types.Shape(b.rows, H));
            double got = SpanLosses.compute(m, p, x, x, b, dc).detect.getFloat();
            assertEquals(expected, got, 1e-4);
        }
    }
}
