package org.fewner.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fewner.common.FewNerException;
import org.fewner.llm.model.Backbone;
import org.fewner.ner.EncoderStats;
import org.fewner.ner.WordSentence;
import org.fewner.ner.encode.BackboneWordEncoder;

/**
 * The encoder's real workloads for {@code fewner bench encoder}: the encode calls that {@code
 * annotate} (and Spark, and a one-document request: the same engine) makes on a corpus, their
 * forward shapes and padding under a batching rule, and N threads encoding on one shared {@link
 * BackboneWordEncoder}.
 */
final class EncoderWorkloads {
    private EncoderWorkloads() {}

    /** The engine's default {@code batchSize}: sentences per encode call, per document. */
    static final int ENGINE_BATCH = 16;

    /** One corpus file: documents of sentences of words. */
    record Corpus(String name, List<List<List<String>>> documents) {
        int sentences() {
            return documents.stream().mapToInt(List::size).sum();
        }

        /** The engine's encode calls: up to {@code batch} consecutive sentences of one document. */
        List<List<List<String>>> calls(int batch) {
            List<List<List<String>>> calls = new ArrayList<>();
            for (List<List<String>> doc : documents) {
                for (int i = 0; i < doc.size(); i += batch) {
                    calls.add(doc.subList(i, Math.min(doc.size(), i + batch)));
                }
            }
            return calls;
        }
    }

    private static final Pattern WORD =
            Pattern.compile("[\\p{L}\\p{M}][\\p{L}\\p{M}\\p{N}'’]*|\\p{N}+(?:[.,:]\\p{N}+)*|\\S");

    /**
     * Reads {@code file}: {@code .txt} = plain text (one document; sentences by {@link
     * BreakIterator}, words by a letter/number/punctuation rule, close to OpenNLP's), otherwise a
     * CoNLL-style file (the first column is the word, blank lines end sentences, {@code -DOCSTART-}
     * starts a document). At most {@code maxSentences} sentences.
     */
    static Corpus read(Path file, int maxSentences) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<List<List<String>>> docs = new ArrayList<>();
        int count = 0;
        if (file.getFileName().toString().endsWith(".txt")) {
            // one document, as `fewner annotate` reads a file
            String text = String.join("\n", lines);
            List<List<String>> doc = new ArrayList<>();
            BreakIterator it = BreakIterator.getSentenceInstance(Locale.ENGLISH);
            it.setText(text);
            for (int s = it.first(), e = it.next();
                    e != BreakIterator.DONE && count < maxSentences;
                    s = e, e = it.next()) {
                List<String> words = new ArrayList<>();
                Matcher m = WORD.matcher(text.substring(s, e));
                while (m.find()) words.add(m.group());
                if (!words.isEmpty()) {
                    doc.add(words);
                    count++;
                }
            }
            if (!doc.isEmpty()) docs.add(doc);
        } else {
            List<List<String>> doc = new ArrayList<>();
            List<String> words = new ArrayList<>();
            for (String raw : lines) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("-DOCSTART-")) {
                    if (!words.isEmpty() && count < maxSentences) {
                        doc.add(words);
                        count++;
                    }
                    words = new ArrayList<>();
                    if (line.startsWith("-DOCSTART-") && !doc.isEmpty()) {
                        docs.add(doc);
                        doc = new ArrayList<>();
                    }
                    continue;
                }
                words.add(line.split("\\s+")[0]);
            }
            if (!words.isEmpty() && count < maxSentences) doc.add(words);
            if (!doc.isEmpty()) docs.add(doc);
        }
        if (docs.isEmpty()) throw new FewNerException(file + ": no sentences");
        return new Corpus(file.getFileName().toString(), docs);
    }

    /** Forward shapes of a corpus's engine calls under one rule. */
    record Shapes(
            int calls,
            int forwards,
            long realTokens,
            long paddedPositions,
            int[] sentencesPerCall,
            int[] piecesPerSentence,
            List<int[]> forwardShapes) {
        double paddingShare() {
            return paddedPositions == 0 ? 0 : 1 - realTokens / (double) paddedPositions;
        }
    }

    static Shapes shapes(Corpus corpus, BackboneWordEncoder encoder) {
        List<List<List<String>>> calls = corpus.calls(ENGINE_BATCH);
        List<int[]> forwards = new ArrayList<>();
        int[] perCall = new int[calls.size()];
        long real = 0;
        long padded = 0;
        for (int c = 0; c < calls.size(); c++) {
            perCall[c] = calls.get(c).size();
            for (int[] f : encoder.plan(calls.get(c))) {
                forwards.add(f);
                real += f[2];
                padded += (long) f[0] * f[1];
            }
        }
        // word-pieces per sentence, special tokens included (the longest window of a long one)
        int[] perSentence = new int[corpus.sentences()];
        int k = 0;
        for (List<List<String>> call : calls) {
            for (List<String> s : call) {
                int n = 0;
                for (int[] f : encoder.plan(List.of(s))) n = Math.max(n, f[1]);
                perSentence[k++] = n;
            }
        }
        return new Shapes(
                calls.size(), forwards.size(), real, padded, perCall, perSentence, forwards);
    }

    static int percentile(int[] values, double p) {
        int[] v = values.clone();
        Arrays.sort(v);
        return v[Math.min(v.length - 1, (int) Math.floor(p * (v.length - 1) + 0.5))];
    }

    /** Text of a value histogram: {@code value:count} pairs, in {@code buckets}. */
    static String histogram(int[] values, int[] bucketUpper) {
        int[] counts = new int[bucketUpper.length + 1];
        for (int v : values) {
            int b = 0;
            while (b < bucketUpper.length && v > bucketUpper[b]) b++;
            counts[b]++;
        }
        StringBuilder sb = new StringBuilder();
        int lower = 1;
        for (int b = 0; b <= bucketUpper.length; b++) {
            if (counts[b] == 0) {
                if (b < bucketUpper.length) lower = bucketUpper[b] + 1;
                continue;
            }
            if (sb.length() > 0) sb.append(", ");
            String range =
                    b < bucketUpper.length
                            ? (lower == bucketUpper[b]
                                    ? String.valueOf(lower)
                                    : lower + "–" + bucketUpper[b])
                            : ">" + bucketUpper[b - 1];
            sb.append(range)
                    .append(": ")
                    .append(
                            String.format(
                                    Locale.ROOT, "%.0f%%", 100.0 * counts[b] / values.length));
            if (b < bucketUpper.length) lower = bucketUpper[b] + 1;
        }
        return sb.toString();
    }

    /** Result of timing encode calls. */
    record Timing(double seconds, long tokens, int forwards, EncoderStats stats) {
        double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    /**
     * Encodes {@code calls} (no cache) on one encoder with the given rule, spread over {@code
     * threads} caller threads (call i on thread i mod threads), and times the whole.
     */
    static Timing replay(
            Backbone backbone,
            BackboneWordEncoder.Options options,
            List<List<List<String>>> calls,
            int threads) {
        try (BackboneWordEncoder enc = new BackboneWordEncoder(backbone, options, false)) {
            // warm-up: one call, not timed
            enc.encode(sentences(calls.get(0)));
            EncoderStats before = enc.stats();
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> futures = new ArrayList<>();
                for (int k = 0; k < threads; k++) {
                    int me = k;
                    futures.add(
                            POOL.submit(
                                    () -> {
                                        go.await();
                                        for (int i = me; i < calls.size(); i += threads) {
                                            enc.encode(sentences(calls.get(i)));
                                        }
                                        return null;
                                    }));
                }
                long t0 = System.nanoTime();
                go.countDown();
                for (Future<?> f : futures) f.get();
                double s = (System.nanoTime() - t0) / 1e9;
                EncoderStats after = enc.stats();
                int forwards = 0;
                for (List<List<String>> c : calls) forwards += enc.plan(c).size();
                return new Timing(s, after.tokens() - before.tokens(), forwards, after);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FewNerException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new FewNerException("encode failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /**
     * Caller threads, reused between runs as a server's would be (a fresh thread per run can get
     * another malloc arena and its own libgomp pool; peak RSS grew from run to run that way).
     */
    private static final ExecutorService POOL =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "encode-caller");
                        t.setDaemon(true);
                        return t;
                    });

    static List<WordSentence> sentences(List<List<String>> call) {
        List<WordSentence> out = new ArrayList<>(call.size());
        for (int i = 0; i < call.size(); i++) out.add(new WordSentence("s" + i, call.get(i)));
        return out;
    }
}
