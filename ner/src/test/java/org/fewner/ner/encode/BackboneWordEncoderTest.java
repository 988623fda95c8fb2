package org.fewner.ner.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.fewner.common.FewNerException;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneOutput;
import org.fewner.ner.EncodedSentence;
import org.fewner.ner.EncoderStats;
import org.fewner.ner.WordSentence;
import org.fewner.ner.testutil.TinyBertDir;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackboneWordEncoderTest {
    @TempDir static Path dir;
    static Backbone model;

    // ids in TinyBertDir's vocabulary: [CLS]=2 [SEP]=3, words from 5
    static final long CLS = 2;
    static final long SEP = 3;

    @BeforeAll
    static void load() throws Exception {
        model = TinyBertDir.load(dir.resolve("tiny"), 12);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static long id(String piece) {
        return 5 + TinyBertDir.WORDS.indexOf(piece);
    }

    /** Layer outputs of one unpadded row, [T][H]. */
    static float[][] direct(long[] ids, int layer) {
        try (NDManager m = model.manager().newSubManager()) {
            long[][] mask = new long[1][ids.length];
            Arrays.fill(mask[0], 1);
            BackboneOutput out = model.forward(m, new long[][] {ids}, mask, null);
            float[] h = out.hidden(layer).toFloatArray();
            float[][] rows = new float[ids.length][];
            for (int t = 0; t < ids.length; t++)
                rows[t] = Arrays.copyOfRange(h, t * 16, t * 16 + 16);
            return rows;
        }
    }

    static WordSentence s(String id, String text) {
        return new WordSentence(id, List.of(text.split(" ")));
    }

    @Test
    void firstAndLastWordPieceOfEachWordAtEveryRequestedLayer() {
        var options = BackboneWordEncoder.Options.of(List.of(0, 2)).withKeepLast(true);
        try (var enc = new BackboneWordEncoder(model, options, false)) {
            // "John" is lower-cased by the uncased tokenizer; "unbelievable" = un ##believ ##able
            EncodedSentence e = enc.encode(List.of(s("a", "John unbelievable cat"))).get(0);
            long[] ids = {CLS, id("john"), id("un"), id("##believ"), id("##able"), id("cat"), SEP};
            for (int layer : List.of(0, 2)) {
                float[][] ref = direct(ids, layer);
                assertArrayEquals(ref[1], e.first(layer)[0], 1e-5f);
                assertArrayEquals(ref[2], e.first(layer)[1], 1e-5f);
                assertArrayEquals(ref[4], e.last(layer)[1], 1e-5f);
                assertArrayEquals(ref[5], e.first(layer)[2], 1e-5f);
                assertArrayEquals(ref[5], e.last(layer)[2], 1e-5f);
            }
            assertThrows(IllegalArgumentException.class, () -> e.first(1));
        }
    }

    @Test
    void batchingWithPaddingGivesTheSameVectorsAsOneSentenceAtATime() {
        List<WordSentence> sentences =
                List.of(
                        s("1", "the cat sat on the mat"),
                        s("2", "paris"),
                        s("3", "john lives in berlin ."),
                        s("4", "a dog , a cat"));
        var options = BackboneWordEncoder.Options.of(List.of(2)).withCacheBytes(0);
        try (var together = new BackboneWordEncoder(model, options, false);
                var alone = new BackboneWordEncoder(model, options, false)) {
            List<EncodedSentence> batch = together.encode(sentences);
            for (int i = 0; i < sentences.size(); i++) {
                EncodedSentence one = alone.encode(List.of(sentences.get(i))).get(0);
                for (int w = 0; w < one.size(); w++) {
                    assertArrayEquals(one.first(2)[w], batch.get(i).first(2)[w], 1e-4f);
                }
            }
            assertEquals(4, together.stats().encoded());
        }
    }

    @Test
    void eachDistinctSentenceIsEncodedOnce() {
        try (var enc =
                new BackboneWordEncoder(model, BackboneWordEncoder.Options.of(List.of(1)), false)) {
            List<EncodedSentence> first =
                    enc.encode(List.of(s("1", "the cat"), s("2", "the cat"), s("3", "a dog")));
            assertSame(first.get(0), first.get(1));
            EncodedSentence again = enc.encode(List.of(s("other id", "the cat"))).get(0);
            assertSame(first.get(0), again);
            EncoderStats st = enc.stats();
            assertEquals(4, st.requested());
            assertEquals(2, st.cacheHits());
            assertEquals(2, st.encoded());
            assertEquals(8, st.tokens()); // [CLS] the cat [SEP] + [CLS] a dog [SEP]
        }
    }

    @Test
    void longSentencesAreSplitIntoOverlappingWindowsNotTruncated() {
        // limit 12 positions = 10 word-pieces per window; 14 words
        String text = "the cat sat on the mat . john lives in paris , a dog";
        try (var enc =
                new BackboneWordEncoder(model, BackboneWordEncoder.Options.of(List.of(2)), false)) {
            EncodedSentence e = enc.encode(List.of(s("long", text))).get(0);
            assertEquals(14, e.size());
            for (float[] v : e.first(2)) assertNotNull(v);
            EncoderStats st = enc.stats();
            assertEquals(1, st.windowed());
            assertEquals(2, st.windows());
            // windows [0,10) [5,14): words 0..7 from the first (more context there), 8.. from the
            // second
            String[] w = text.split(" ");
            long[] firstWindow = new long[12];
            firstWindow[0] = CLS;
            for (int i = 0; i < 10; i++) firstWindow[i + 1] = id(w[i]);
            firstWindow[11] = SEP;
            float[][] ref = direct(firstWindow, 2);
            assertArrayEquals(ref[1], e.first(2)[0], 1e-5f);
            assertArrayEquals(ref[5], e.first(2)[4], 1e-5f);
        }
        assertEquals(
                List.of(List.of(0, 10), List.of(5, 14)),
                windowsOf(
                        new BackboneWordEncoder(
                                model, BackboneWordEncoder.Options.of(List.of(2)), false),
                        14));
    }

    static List<List<Integer>> windowsOf(BackboneWordEncoder enc, int words) {
        long[][] pieces = new long[words][];
        for (int i = 0; i < words; i++) pieces[i] = new long[] {9};
        return enc.windows(pieces).stream().map(a -> List.of(a[0], a[1])).toList();
    }

    @Test
    void aWordTheTokenizerDropsBecomesTheUnknownToken() {
        try (var enc =
                new BackboneWordEncoder(model, BackboneWordEncoder.Options.of(List.of(0)), false)) {
            long[][] pieces = enc.pieces(List.of("cat", "\u200b", "dog"));
            assertArrayEquals(new long[] {id("cat")}, pieces[0]);
            assertArrayEquals(new long[] {1}, pieces[1]);
            assertArrayEquals(new long[] {id("dog")}, pieces[2]);
        }
    }

    @Test
    void aLayerTheModelDoesNotHaveIsAnError() {
        var e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                new BackboneWordEncoder(
                                        model, BackboneWordEncoder.Options.of(List.of(3)), false));
        assertEquals(
                "--layer 3: the model has layers 0 (embeddings) to 2 (HF numbering)",
                e.getMessage());
    }

    /** Random sentences over the tiny vocabulary, 1..maxWords words. */
    static List<WordSentence> randomSentences(java.util.Random rnd, int n, int maxWords) {
        List<String> words =
                List.of(
                        "the",
                        "cat",
                        "sat",
                        "on",
                        "mat",
                        "john",
                        "lives",
                        "in",
                        "paris",
                        "a",
                        "dog",
                        "unbelievable",
                        "berlin",
                        "is",
                        "big",
                        ".",
                        ",");
        List<WordSentence> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 1 + rnd.nextInt(maxWords);
            List<String> ws = new java.util.ArrayList<>();
            for (int w = 0; w < len; w++) ws.add(words.get(rnd.nextInt(words.size())));
            out.add(new WordSentence("s" + i, ws));
        }
        return out;
    }

    static void assertSameVectors(EncodedSentence want, EncodedSentence got, int layer) {
        assertEquals(want.size(), got.size());
        for (int w = 0; w < want.size(); w++) {
            assertArrayEquals(want.first(layer)[w], got.first(layer)[w], 0f);
            assertArrayEquals(want.last(layer)[w], got.last(layer)[w], 0f);
        }
    }

    /**
     * 4 threads x encode on one encoder (4 concurrent forwards, 1 intra-op thread each): every
     * result equals, bit for bit, what one thread gets for the same call alone, and the counters
     * add up. Without the cache every list is batched as it is alone (lists overlap: the same
     * sentences in other batches); with the cache, one sentence a call, so whichever thread encodes
     * a shared sentence first computes it in the same single-row batch.
     */
    @Test
    void concurrentEncodesGiveTheSingleThreadedResultsAndCountersAddUp() throws Exception {
        java.util.Random rnd = new java.util.Random(7);
        List<WordSentence> pool = randomSentences(rnd, 60, 14);
        int threads = 4;
        int calls = 12;
        // call c of thread k: 5 sentences of the pool (overlapping between threads and calls)
        List<List<List<WordSentence>>> work = new java.util.ArrayList<>();
        for (int k = 0; k < threads; k++) {
            List<List<WordSentence>> mine = new java.util.ArrayList<>();
            for (int c = 0; c < calls; c++) {
                List<WordSentence> list = new java.util.ArrayList<>();
                for (int i = 0; i < 5; i++) list.add(pool.get(rnd.nextInt(pool.size())));
                mine.add(list);
            }
            work.add(mine);
        }
        var base = BackboneWordEncoder.Options.of(List.of(1, 2)).withKeepLast(true);
        for (boolean cached : new boolean[] {false, true}) {
            var options = (cached ? base : base.withCacheBytes(0)).withThreads(threads, 1);
            // the single-threaded results, each call on its own
            var want = new java.util.HashMap<String, List<EncodedSentence>>();
            try (var alone = new BackboneWordEncoder(model, options.withCacheBytes(0), false)) {
                for (int k = 0; k < threads; k++) {
                    for (int c = 0; c < calls; c++) {
                        for (WordSentence ws : work.get(k).get(c)) {
                            want.put(
                                    k + "/" + c + "/" + ws.id(),
                                    cached ? alone.encode(List.of(ws)) : null);
                        }
                        if (!cached) {
                            want.put(k + "/" + c, alone.encode(work.get(k).get(c)));
                        }
                    }
                }
            }
            try (var shared = new BackboneWordEncoder(model, options, false)) {
                assertEquals(4, shared.concurrentForwards());
                assertEquals(1, shared.forwardThreads());
                var pool4 = java.util.concurrent.Executors.newFixedThreadPool(threads);
                var start = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<List<List<EncodedSentence>>>> futures =
                        new java.util.ArrayList<>();
                for (int k = 0; k < threads; k++) {
                    List<List<WordSentence>> mine = work.get(k);
                    futures.add(
                            pool4.submit(
                                    () -> {
                                        start.await();
                                        List<List<EncodedSentence>> got =
                                                new java.util.ArrayList<>();
                                        for (List<WordSentence> list : mine) {
                                            if (cached) {
                                                List<EncodedSentence> one =
                                                        new java.util.ArrayList<>();
                                                for (WordSentence ws : list) {
                                                    one.add(shared.encode(List.of(ws)).get(0));
                                                }
                                                got.add(one);
                                            } else {
                                                got.add(shared.encode(list));
                                            }
                                        }
                                        return got;
                                    }));
                }
                start.countDown();
                long requests = 0;
                long distinctPerCall = 0;
                for (int k = 0; k < threads; k++) {
                    List<List<EncodedSentence>> got = futures.get(k).get();
                    for (int c = 0; c < calls; c++) {
                        List<WordSentence> list = work.get(k).get(c);
                        requests += list.size();
                        distinctPerCall +=
                                list.stream().map(WordSentence::words).distinct().count();
                        for (int i = 0; i < list.size(); i++) {
                            EncodedSentence w =
                                    cached
                                            ? want.get(k + "/" + c + "/" + list.get(i).id()).get(0)
                                            : want.get(k + "/" + c).get(i);
                            for (int layer : List.of(1, 2)) {
                                assertSameVectors(w, got.get(c).get(i), layer);
                            }
                        }
                    }
                }
                pool4.shutdown();
                EncoderStats st = shared.stats();
                assertEquals(requests, st.requested());
                assertEquals(st.requested(), st.cacheHits() + st.encoded(), "hits + encoded");
                if (cached) {
                    long distinct =
                            work.stream()
                                    .flatMap(List::stream)
                                    .flatMap(List::stream)
                                    .map(WordSentence::words)
                                    .distinct()
                                    .count();
                    // two threads may both encode a sentence neither had cached yet
                    assertTrue(st.encoded() >= distinct && st.encoded() <= requests, st::toString);
                } else {
                    assertEquals(distinctPerCall, st.encoded());
                }
            }
        }
    }

    @Test
    void theDefaultSplitGivesTheCoresToConcurrentForwards() {
        // {concurrent, per forward} from cores, libtorch's setting, and what was asked for
        assertArrayEquals(new int[] {1, 2}, BackboneWordEncoder.split(2, 2, 0, 0));
        assertArrayEquals(new int[] {2, 1}, BackboneWordEncoder.split(2, 1, 0, 0));
        assertArrayEquals(new int[] {4, 4}, BackboneWordEncoder.split(16, 4, 0, 0));
        assertArrayEquals(new int[] {4, 4}, BackboneWordEncoder.split(16, 16, 4, 0));
        assertArrayEquals(new int[] {2, 8}, BackboneWordEncoder.split(16, 16, 0, 8));
        assertArrayEquals(new int[] {4, 1}, BackboneWordEncoder.split(2, 2, 4, 0));
        assertArrayEquals(new int[] {3, 5}, BackboneWordEncoder.split(2, 2, 3, 5));
    }

    @Test
    void batchesAreCutWhereTheSavedPaddingOutweighsAForward() {
        int[] lengths = {60, 58, 40, 38, 20, 18, 12};
        // the old rule: everything that fits 4096 positions in one forward
        assertArrayEquals(new int[] {7}, BackboneWordEncoder.cut(lengths, 4096, 0));
        // overhead 30 positions: 2x60 + 2x40 + 3x20 + 3x30 = 350 beats 4x60 + 3x20 + 2x30 = 360
        // and 7x60 + 30 = 450
        assertArrayEquals(new int[] {2, 2, 3}, BackboneWordEncoder.cut(lengths, 4096, 30));
        // a forward costing 1000 positions: never cut
        assertArrayEquals(new int[] {7}, BackboneWordEncoder.cut(lengths, 4096, 1000));
        // the batchTokens bound holds: at most 120 padded positions a forward
        int at = 0;
        for (int b : BackboneWordEncoder.cut(lengths, 120, 1000)) {
            assertTrue(b * lengths[at] <= 120);
            at += b;
        }
        assertEquals(lengths.length, at);
        assertArrayEquals(new int[] {1, 1}, BackboneWordEncoder.cut(new int[] {300, 200}, 100, 0));
    }
}
