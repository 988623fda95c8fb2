package org.fewner.training.bench;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.ner.Mention;
import org.fewner.training.data.ExampleFiles;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.dev.SpanStepProfiler;
import org.fewner.training.span.FeatureStore;
import org.fewner.training.span.SpanTrainer;
import org.fewner.training.span.SpanTrainingConfig;

/**
 * Speed of the span trainer's step (forward, backward, AdamW on cached frozen-backbone word
 * vectors) and where its time goes. Times the real {@code SpanTrainer.trainStep} and, on a second
 * trainer over the same steps, {@link SpanStepProfiler}'s phase-by-phase replay. {@link #check}
 * proves that the replay computes what {@code trainStep} computes: run with one libtorch thread
 * (with two, libtorch's parallel reductions are not bit-reproducible, not even between two real
 * trainers), both trainers must end with bit-identical heads.
 */
public final class SpanTrainBenchmark {
    private SpanTrainBenchmark() {}

    /** Training sentences and their cached word vectors. */
    public record Data(List<TrainingExample> examples, FeatureStore store, String description) {}

    /**
     * Synthetic source data of realistic shapes: {@code corpora} corpora with {@code types} types
     * each, sentences of 8 to 40 words (mean 24), one to three entities of one to four words per
     * sentence (some none), random word vectors (stored as bfloat16 like the real cache).
     */
    public static Data synthetic(
            int sentences, int corpora, int types, int hidden, int[] layers, long seed) {
        Random r = new Random(seed);
        List<TrainingExample> ex = new ArrayList<>();
        FeatureStore fs = new FeatureStore(layers, hidden);
        for (int i = 0; i < sentences; i++) {
            int len = 8 + r.nextInt(33);
            List<String> w = new ArrayList<>();
            for (int j = 0; j < len; j++) {
                w.add("w" + r.nextInt(50_000));
            }
            w.set(0, "s" + i); // distinct sentences
            List<Mention> ms = new ArrayList<>();
            int n = r.nextInt(4);
            int pos = 1 + r.nextInt(3);
            for (int e = 0; e < n && pos < len; e++) {
                int width = 1 + r.nextInt(Math.min(4, len - pos));
                ms.add(new Mention(pos, pos + width, "type" + r.nextInt(types)));
                pos += width + 1 + r.nextInt(6);
            }
            TrainingExample t = new TrainingExample("syn" + i, "corpus" + (i % corpora), w, ms);
            ex.add(t);
            float[][] f = new float[layers.length][len * hidden];
            for (float[] l : f) {
                for (int j = 0; j < l.length; j++) {
                    l[j] = (float) r.nextGaussian() * 0.5f;
                }
            }
            fs.put(w, f);
        }
        return new Data(
                ex,
                fs,
                String.format(
                        java.util.Locale.ROOT,
                        "synthetic: %d sentences (8-40 words), %d corpora x %d types, H %d, layers %s",
                        sentences,
                        corpora,
                        types,
                        hidden,
                        Arrays.toString(layers)));
    }

    /**
     * A seeded sample of {@code sample} sentences of a collector's examples file and their vectors
     * from a feature cache (only the sample's entries are read).
     */
    public static Data real(Path examplesFile, Path cache, int sample, long seed) {
        List<TrainingExample> all = new ArrayList<>(ExampleFiles.read(examplesFile));
        java.util.Collections.shuffle(all, new Random(seed));
        List<TrainingExample> pick = all.subList(0, Math.min(sample, all.size()));
        Set<String> keys = new HashSet<>();
        pick.forEach(e -> keys.add(FeatureStore.key(e.words())));
        FeatureStore fs = FeatureStore.read(cache, keys::contains);
        List<TrainingExample> kept = new ArrayList<>();
        for (TrainingExample e : pick) {
            if (fs.contains(e.words())) {
                kept.add(e);
            }
        }
        if (kept.isEmpty()) {
            throw new FewNerException(
                    cache + ": none of the sampled sentences of " + examplesFile + " is cached");
        }
        return new Data(
                kept,
                fs,
                String.format(
                        java.util.Locale.ROOT,
                        "real: %d of %d sentences of %s (seed %d), %d cached, vectors from %s "
                                + "(layers %s, H %d)",
                        pick.size(),
                        all.size(),
                        examplesFile,
                        seed,
                        kept.size(),
                        cache,
                        Arrays.toString(fs.layers()),
                        fs.hidden()));
    }

    /**
     * The trainer's defaults with the cached layers (the default detection and typing layers when
     * cached, else the last two) and a run length that keeps the learning rate away from 0.
     */
    public static SpanTrainingConfig config(FeatureStore store, int steps) {
        ObjectNode c = Json.MAPPER.valueToTree(SpanTrainingConfig.defaults());
        int[] layers = store.layers();
        Arrays.sort(layers);
        int detect = c.path("detectLayer").asInt();
        int type = c.path("typeLayer").asInt();
        if (Arrays.binarySearch(layers, detect) < 0 || Arrays.binarySearch(layers, type) < 0) {
            c.put("detectLayer", layers[layers.length - 1]);
            c.put("typeLayer", layers[Math.max(0, layers.length - 2)]);
        }
        c.put("maxSteps", Math.max(c.path("maxSteps").asInt(), 10 * steps));
        try {
            return Json.MAPPER.treeToValue(c, SpanTrainingConfig.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("span training defaults do not round-trip", e);
        }
    }

    /**
     * The figures of one run.
     *
     * @param trainStepSeconds wall seconds of each timed real {@code trainStep}
     * @param profiled the replay's timed steps
     * @param words words of each timed step's batch (the same batches in both)
     */
    public record Result(
            double[] trainStepSeconds, List<SpanStepProfiler.Step> profiled, int[] words) {
        public double medianStepSeconds() {
            return median(trainStepSeconds);
        }

        public double bestStepSeconds() {
            return Arrays.stream(trainStepSeconds).min().orElse(Double.NaN);
        }

        public double meanWords() {
            return Arrays.stream(words).average().orElse(Double.NaN);
        }

        /** Words per second over all timed real steps (total words / total seconds). */
        public double tokensPerSecond() {
            return Arrays.stream(words).sum() / Arrays.stream(trainStepSeconds).sum();
        }

        public double stepsPerSecond() {
            return trainStepSeconds.length / Arrays.stream(trainStepSeconds).sum();
        }

        /** Mean seconds per phase of the replay. */
        public Map<String, Double> phaseSeconds() {
            Map<String, Double> out = new LinkedHashMap<>();
            for (String p : SpanStepProfiler.PHASES) {
                out.put(
                        p,
                        profiled.stream().mapToDouble(s -> s.nanos().get(p) / 1e9).sum()
                                / profiled.size());
            }
            return out;
        }

        public double meanReplaySeconds() {
            return profiled.stream().mapToDouble(s -> s.totalNanos() / 1e9).sum() / profiled.size();
        }

        public double meanMatmulFlops() {
            return profiled.stream().mapToDouble(SpanStepProfiler.Step::matmulFlops).sum()
                    / profiled.size();
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * Runs {@code warmup} untimed and {@code steps} timed real training steps, then the same steps
     * replayed phase by phase on a fresh trainer, and compares the two trainers' heads.
     */
    public static Result run(
            Data data, SpanTrainingConfig config, int warmup, int steps, NDManager root) {
        SpanTrainer real = SpanStepProfiler.trainer(config, data.examples(), data.store());
        if (real.episodeCorpora().isEmpty()) {
            throw new FewNerException(
                    "bench span-train: no corpus has two types with enough entities for an episode");
        }
        SpanStepProfiler replay = new SpanStepProfiler(config, data.examples(), data.store());
        // the two trainers take turns, so that both see the same machine load
        double[] secs = new double[steps];
        List<SpanStepProfiler.Step> timed = new ArrayList<>();
        for (int i = 0; i < warmup + steps; i++) {
            long ns = SpanStepProfiler.timeTrainStep(real, root);
            SpanStepProfiler.Step s = replay.step(root);
            if (i >= warmup) {
                secs[i - warmup] = ns / 1e9;
                timed.add(s);
            }
        }
        int[] words = timed.stream().mapToInt(SpanStepProfiler.Step::words).toArray();
        return new Result(secs, timed, words);
    }

    /**
     * Whether {@code steps} steps of the replay leave the same heads, bit for bit, as {@code steps}
     * real training steps (run it with one libtorch thread).
     */
    public static boolean check(Data data, SpanTrainingConfig config, int steps, NDManager root) {
        SpanTrainer real = SpanStepProfiler.trainer(config, data.examples(), data.store());
        SpanStepProfiler replay = new SpanStepProfiler(config, data.examples(), data.store());
        for (int i = 0; i < steps; i++) {
            SpanStepProfiler.timeTrainStep(real, root);
            replay.step(root);
        }
        return same(real.heads(), replay.heads());
    }

    private static boolean same(Map<String, HostTensor> a, Map<String, HostTensor> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String k : a.keySet()) {
            float[] x = a.get(k).toFloats();
            float[] y = b.get(k).toFloats();
            if (x.length != y.length) {
                return false;
            }
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Per libtorch operator, the self time of {@code steps} real training steps (after the steps
     * already run), from libtorch's profiler; the trace goes to a temporary file.
     *
     * @return the operators and the profiled wall time
     */
    public static org.fewner.llm.bench.OpProfile.Profile profile(
            Data data, SpanTrainingConfig config, int warmup, int steps, NDManager root)
            throws java.io.IOException {
        SpanTrainer t = SpanStepProfiler.trainer(config, data.examples(), data.store());
        for (int i = 0; i < warmup; i++) {
            SpanStepProfiler.timeTrainStep(t, root);
        }
        Path trace = java.nio.file.Files.createTempFile("fewner-span-profile", ".json");
        try {
            ai.djl.pytorch.jni.JniUtils.startProfile(false, false, false);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                SpanStepProfiler.timeTrainStep(t, root);
            }
            double wall = (System.nanoTime() - t0) / 1e6;
            ai.djl.pytorch.jni.JniUtils.stopProfile(trace.toAbsolutePath().toString());
            return new org.fewner.llm.bench.OpProfile.Profile(
                    org.fewner.llm.bench.OpProfile.selfTimes(trace), wall, steps);
        } finally {
            java.nio.file.Files.deleteIfExists(trace);
        }
    }

    /**
     * The batches of steps {@code from … from+count−1} as a JSON array for the PyTorch baseline
     * ({@code training/bench/span_pytorch.py}).
     */
    public static com.fasterxml.jackson.databind.node.ArrayNode batches(
            Data data, SpanTrainingConfig config, int from, int count) {
        SpanTrainer t = SpanStepProfiler.trainer(config, data.examples(), data.store());
        var arr = Json.MAPPER.createArrayNode();
        for (int s = from; s < from + count; s++) {
            arr.add(SpanStepProfiler.batchJson(t, s));
        }
        return arr;
    }
}
