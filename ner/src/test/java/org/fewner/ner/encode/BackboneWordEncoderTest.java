package org.fewner.ner.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
