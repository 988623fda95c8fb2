package org.fewner.llm.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fewner.common.FewNerException;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneOutput;
import org.fewner.llm.model.Models;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.TensorFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pure-Java checks of the BERT encoder on tiny random checkpoints written by {@link TinyBert}. */
class BertModelTest {
    private static final long[] A = {1, 7, 3, 9, 4};
    private static final long[] B = {1, 11, 12, 13, 14, 15, 16, 2};

    @TempDir Path tmp;

    private static BertModel load(Path dir) {
        return (BertModel) Models.load(dir, Device.cpu());
    }

    /**
     * hidden states [L+1][T][H] (or logits as one extra layer) of row {@code r}, positions [from,
     * from+n).
     */
    private static float[][][] rows(BackboneOutput o, int r, int from, int n) {
        int layers = o.hiddenStates().size() + (o.logits() == null ? 0 : 1);
        float[][][] out = new float[layers][n][];
        for (int l = 0; l < layers; l++) {
            NDArray a = l < o.hiddenStates().size() ? o.hidden(l) : o.logits();
            for (int t = 0; t < n; t++) {
                out[l][t] = a.get(r, from + t).toFloatArray();
            }
        }
        return out;
    }

    private static float[][][] single(BertModel m, long[] ids, String adapter) {
        try (NDManager call = m.manager().newSubManager()) {
            long[] mask = new long[ids.length];
            Arrays.fill(mask, 1);
            return rows(
                    m.forward(call, new long[][] {ids}, new long[][] {mask}, adapter),
                    0,
                    0,
                    ids.length);
        }
    }

    private static void assertClose(float[][][] expected, float[][][] actual, double tol) {
        assertEquals(expected.length, actual.length);
        double worst = 0;
        for (int l = 0; l < expected.length; l++) {
            for (int t = 0; t < expected[l].length; t++) {
                for (int h = 0; h < expected[l][t].length; h++) {
                    worst = Math.max(worst, Math.abs(expected[l][t][h] - actual[l][t][h]));
                }
            }
        }
        assertTrue(worst <= tol, "max |difference| " + worst + " > " + tol);
    }

    @Test
    void loadsMaskedLmCheckpointWithHfModuleNames() {
        try (BertModel m = load(TinyBert.write(tmp, TinyBert.Naming.MLM, "gelu", 1))) {
            assertTrue(m.hasMlmHead());
            assertEquals("bert.", m.modulePrefix());
            assertEquals(6 * TinyBert.LAYERS + 2, m.linearLayers().size());
            assertEquals(
                    List.of(
                            "bert.encoder.layer.0.attention.self.query",
                            "bert.encoder.layer.0.attention.self.key",
                            "bert.encoder.layer.0.attention.self.value",
                            "bert.encoder.layer.0.attention.output.dense",
                            "bert.encoder.layer.0.intermediate.dense",
                            "bert.encoder.layer.0.output.dense"),
                    m.linearLayers().keySet().stream().limit(6).toList());
            assertTrue(m.linearLayers().containsKey("cls.predictions.transform.dense"));
            try (NDManager call = m.manager().newSubManager()) {
                BackboneOutput o =
                        m.forward(call, new long[][] {A}, new long[][] {{1, 1, 1, 1, 1}}, null);
                assertEquals(TinyBert.LAYERS + 1, o.hiddenStates().size());
                assertEquals(
                        new ai.djl.ndarray.types.Shape(1, 5, TinyBert.HIDDEN),
                        o.hidden(2).getShape());
                assertEquals(
                        new ai.djl.ndarray.types.Shape(1, 5, TinyBert.VOCAB),
                        o.logits().getShape());
            }
        }
    }

    @Test
    void loadsBaseCheckpointWithoutPrefixOrHead() {
        try (BertModel m = load(TinyBert.write(tmp, TinyBert.Naming.BASE, "gelu", 1))) {
            assertFalse(m.hasMlmHead());
            assertEquals("", m.modulePrefix());
            assertEquals(6 * TinyBert.LAYERS, m.linearLayers().size());
            assertTrue(m.linearLayers().containsKey("encoder.layer.1.output.dense"));
            try (NDManager call = m.manager().newSubManager()) {
                assertNull(
                        m.forward(call, new long[][] {A}, new long[][] {{1, 1, 1, 1, 1}}, null)
                                .logits());
            }
        }
    }

    @Test
    void legacyGammaBetaNamesGiveTheSameModel() {
        float[][][] modern;
        try (BertModel m =
                load(TinyBert.write(tmp.resolve("modern"), TinyBert.Naming.MLM, "gelu", 5))) {
            modern = single(m, B, null);
        }
        try (BertModel m =
                load(
                        TinyBert.write(
                                tmp.resolve("legacy"), TinyBert.Naming.LEGACY_NORMS, "gelu", 5))) {
            assertClose(modern, single(m, B, null), 0);
        }
    }

    @Test
    void paddedRowsEqualUnpaddedSingles() {
        try (BertModel m = load(TinyBert.write(tmp, TinyBert.Naming.MLM, "gelu", 2))) {
            float[][][] a = single(m, A, null);
            float[][][] b = single(m, B, null);
            // right padding for A, and the same batch with A left-padded
            long[][] right = {{1, 7, 3, 9, 4, 0, 0, 0}, B};
            long[][] rightMask = {{1, 1, 1, 1, 1, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}};
            long[][] left = {{0, 0, 0, 1, 7, 3, 9, 4}, B};
            long[][] leftMask = {{0, 0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}};
            try (NDManager call = m.manager().newSubManager()) {
                BackboneOutput o = m.forward(call, right, rightMask, null);
                assertClose(a, rows(o, 0, 0, A.length), 2e-5);
                assertClose(b, rows(o, 1, 0, B.length), 2e-5);
                BackboneOutput p = m.forward(call, left, leftMask, null);
                assertClose(a, rows(p, 0, 3, A.length), 2e-5);
                assertClose(b, rows(p, 1, 0, B.length), 2e-5);
            }
        }
    }

    @Test
    void sequenceGroupsGiveTheWholeBatchResult() {
        // BertLayer runs large batches in groups of whole sequences; any grouping must give the
        // whole-batch result,
        // row by row and in order, with and without padding.
        // 13 rows of T = 8: 104 rows, more than 4 groups' worth for every group size below
        long[][] ids = new long[13][];
        long[][] mask = new long[13][];
        for (int r = 0; r < ids.length; r++) {
            ids[r] =
                    switch (r % 4) {
                        case 0 -> new long[] {1, 7, 3, 9, 4, 0, 0, 0};
                        case 1 -> B.clone();
                        case 2 -> new long[] {0, 0, 0, 1, 7, 3, 9, 4};
                        default -> new long[] {5, 6, 7, 8, 9, 10, 11, (12 + r) % 30};
                    };
            mask[r] =
                    switch (r % 4) {
                        case 0 -> new long[] {1, 1, 1, 1, 1, 0, 0, 0};
                        case 2 -> new long[] {0, 0, 0, 1, 1, 1, 1, 1};
                        default -> new long[] {1, 1, 1, 1, 1, 1, 1, 1};
                    };
        }
        long[][] full = new long[13][]; // unpadded: no mask input at all
        for (int r = 0; r < full.length; r++) {
            full[r] = r % 2 == 0 ? B.clone() : new long[] {5, 6, 7, 8, 9, 10, 11, (12 + r) % 30};
        }
        long[][] fullMask = new long[full.length][8];
        Arrays.stream(fullMask).forEach(r -> Arrays.fill(r, 1));
        Path dir = TinyBert.write(tmp, TinyBert.Naming.MLM, "gelu", 2);
        org.fewner.llm.config.BertConfig config =
                (org.fewner.llm.config.BertConfig) org.fewner.llm.config.ModelConfigs.read(dir);
        try (BertModel m = BertModel.load(dir, config, Device.cpu(), 0);
                NDManager call = m.manager().newSubManager()) {
            BackboneOutput whole = m.forward(call, ids, mask, null);
            BackboneOutput wholeUnpadded = m.forward(call, full, fullMask, null);
            for (int rows :
                    new int[] {
                        1, 8, 16, 24
                    }) { // 1, 1, 2 and 3 sequences per group (104 rows > 4 · 24)
                try (BertModel grouped = BertModel.load(dir, config, Device.cpu(), rows);
                        NDManager gcall = grouped.manager().newSubManager()) {
                    BackboneOutput g = grouped.forward(gcall, ids, mask, null);
                    BackboneOutput gu = grouped.forward(gcall, full, fullMask, null);
                    for (int r = 0; r < ids.length; r++) {
                        assertClose(rows(whole, r, 0, 8), rows(g, r, 0, 8), 1e-5);
                    }
                    for (int r = 0; r < full.length; r++) {
                        assertClose(rows(wholeUnpadded, r, 0, 8), rows(gu, r, 0, 8), 1e-5);
                    }
                }
            }
            // and the rows really differ, so the order check above is not vacuous
            assertThrows(
                    AssertionError.class,
                    () -> assertClose(rows(whole, 0, 0, 8), rows(whole, 1, 0, 8), 1e-3));
        }
    }

    @Test
    void paddingIsActuallyMasked() {
        // Without the mask the padded row differs from the single one: the padding test above is
        // not vacuous.
        try (BertModel m = load(TinyBert.write(tmp, TinyBert.Naming.MLM, "gelu", 2))) {
            float[][][] a = single(m, A, null);
            try (NDManager call = m.manager().newSubManager()) {
                BackboneOutput o =
                        m.forward(
                                call,
                                new long[][] {{1, 7, 3, 9, 4, 5, 5, 5}},
                                new long[][] {{1, 1, 1, 1, 1, 1, 1, 1}},
                                null);
                AssertionError e =
                        assertThrows(
                                AssertionError.class,
                                () -> assertClose(a, rows(o, 0, 0, A.length), 1e-3));
                assertNotNull(e.getMessage());
            }
        }
    }

    @Test
    void perModulePathEqualsFusedQkvPath() {
        // An adapter name that no layer holds runs every projection through its own LinearLayer (no
        // fused QKV).
        try (BertModel m = load(TinyBert.write(tmp, TinyBert.Naming.MLM, "gelu_new", 3))) {
            assertClose(single(m, B, null), single(m, B, "no-such-adapter"), 2e-6);
        }
    }

    @Test
    void concurrentForwardsMatchSequentialOnes() throws Exception {
        try (BertModel m = load(TinyBert.write(tmp, TinyBert.Naming.MLM, "gelu", 4))) {
            float[][][] a = single(m, A, null);
            float[][][] b = single(m, B, null);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 5; round++) {
                    Future<float[][][]> fa = pool.submit(() -> single(m, A, null));
                    Future<float[][][]> fb = pool.submit(() -> single(m, B, null));
                    assertClose(a, fa.get(), 0);
                    assertClose(b, fb.get(), 0);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void tooLongSequenceIsRefusedNamingTheLimit() {
        try (BertModel m = load(TinyBert.write(tmp, TinyBert.Naming.MLM, "gelu", 1))) {
            long[] ids = new long[TinyBert.POSITIONS + 1];
            long[] mask = new long[ids.length];
            Arrays.fill(mask, 1);
            try (NDManager call = m.manager().newSubManager()) {
                IllegalArgumentException e =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        m.forward(
                                                call,
                                                new long[][] {ids},
                                                new long[][] {mask},
                                                null));
                assertTrue(
                        e.getMessage().contains("13 tokens")
                                && e.getMessage().contains("max_position_embeddings")
                                && e.getMessage().contains(String.valueOf(TinyBert.POSITIONS)),
                        e.getMessage());
                // exactly the limit is fine
                long[] ok = Arrays.copyOf(ids, TinyBert.POSITIONS);
                m.forward(
                        call,
                        new long[][] {ok},
                        new long[][] {Arrays.copyOf(mask, ok.length)},
                        null);
            }
        }
    }

    @Test
    void badInputsAreRefused() {
        try (BertModel m = load(TinyBert.write(tmp, TinyBert.Naming.MLM, "gelu", 1))) {
            try (NDManager call = m.manager().newSubManager()) {
                FewNerException vocab =
                        assertThrows(
                                FewNerException.class,
                                () ->
                                        m.forward(
                                                call,
                                                new long[][] {{1, TinyBert.VOCAB}},
                                                new long[][] {{1, 1}},
                                                null));
                assertTrue(
                        vocab.getMessage().contains("outside the vocabulary of " + TinyBert.VOCAB),
                        vocab.getMessage());
                IllegalArgumentException ragged =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        m.forward(
                                                call,
                                                new long[][] {{1, 2}, {1}},
                                                new long[][] {{1, 1}, {1}},
                                                null));
                assertTrue(ragged.getMessage().contains("row 1"), ragged.getMessage());
                IllegalArgumentException badMask =
                        assertThrows(
                                IllegalArgumentException.class,
                                () ->
                                        m.forward(
                                                call,
                                                new long[][] {{1, 2}},
                                                new long[][] {{1, 2}},
                                                null));
                assertTrue(badMask.getMessage().contains("expected 0 or 1"), badMask.getMessage());
            }
        }
    }

    @Test
    void wrongShapeIsRefusedNamingTensorShapesAndFile() {
        Map<String, HostTensor> w = TinyBert.weights(TinyBert.Naming.MLM, 1);
        String name = "bert.encoder.layer.1.intermediate.dense.weight";
        w.put(
                name,
                TinyBert.normal(
                        new java.util.Random(1), 0, 1, TinyBert.INTERMEDIATE + 1, TinyBert.HIDDEN));
        Path dir = TinyBert.write(tmp, TinyBert.config("gelu"), w);
        TensorFileException e = assertThrows(TensorFileException.class, () -> load(dir));
        assertTrue(
                e.getMessage().contains(name)
                        && e.getMessage().contains("[33, 16]")
                        && e.getMessage().contains("[32, 16]")
                        && e.getMessage().contains("model.safetensors"),
                e.getMessage());
    }

    @Test
    void missingTensorIsRefusedNamingIt() {
        Map<String, HostTensor> w = TinyBert.weights(TinyBert.Naming.MLM, 1);
        String name = "bert.encoder.layer.0.attention.output.LayerNorm.bias";
        w.remove(name);
        Path dir = TinyBert.write(tmp, TinyBert.config("gelu"), w);
        TensorFileException e = assertThrows(TensorFileException.class, () -> load(dir));
        assertTrue(
                e.getMessage().contains("missing tensor '" + name + "'")
                        && e.getMessage().contains("[16]")
                        && e.getMessage().contains("model.safetensors"),
                e.getMessage());
    }

    @Test
    void configWithFewerLayersThanTheWeightsIsRefused() {
        ObjectNode c = TinyBert.config("gelu");
        c.put("num_hidden_layers", 1);
        Path dir = TinyBert.write(tmp, c, TinyBert.weights(TinyBert.Naming.MLM, 1));
        TensorFileException e = assertThrows(TensorFileException.class, () -> load(dir));
        assertTrue(
                e.getMessage().contains("bert.encoder.layer.1.")
                        && e.getMessage().contains("num_hidden_layers=1"),
                e.getMessage());
    }

    @Test
    void configWithWrongVocabIsRefused() {
        ObjectNode c = TinyBert.config("gelu");
        c.put("vocab_size", 51);
        Path dir = TinyBert.write(tmp, c, TinyBert.weights(TinyBert.Naming.MLM, 1));
        TensorFileException e = assertThrows(TensorFileException.class, () -> load(dir));
        assertTrue(
                e.getMessage().contains("bert.embeddings.word_embeddings.weight")
                        && e.getMessage().contains("[50, 16]")
                        && e.getMessage().contains("[51, 16]"),
                e.getMessage());
    }

    @Test
    void hiddenActChangesTheOutput() {
        // The config's hidden_act is honoured: erf GELU and tanh GELU give different hidden states
        // on these weights.
        float[][][] erf;
        try (BertModel m =
                load(TinyBert.write(tmp.resolve("erf"), TinyBert.Naming.MLM, "gelu", 6))) {
            erf = single(m, B, null);
            BertConfig cfg = m.config();
            assertEquals("gelu", cfg.hiddenAct());
        }
        try (BertModel m =
                load(TinyBert.write(tmp.resolve("tanh"), TinyBert.Naming.MLM, "gelu_new", 6))) {
            float[][][] tanh = single(m, B, null);
            assertThrows(AssertionError.class, () -> assertClose(erf, tanh, 1e-5));
            assertClose(erf, tanh, 0.1); // same weights: close, but not equal
        }
    }

    @Test
    void decoderConfigsGoToTheDecoderPackage() {
        ObjectNode c = org.fewner.common.Json.MAPPER.createObjectNode();
        c.put("model_type", "llama");
        c.put("vocab_size", 10);
        c.put("hidden_size", 8);
        c.put("num_hidden_layers", 1);
        c.put("num_attention_heads", 2);
        c.put("intermediate_size", 16);
        ModelConfigs.write(tmp.resolve("config.json"), c);
        // A decoder config is loaded by the decoder; with no weights beside it the error names the
        // missing file.
        RuntimeException e =
                assertThrows(
                        RuntimeException.class,
                        () -> {
                            try (Backbone b = Models.load(tmp, Device.cpu())) {
                                b.config();
                            }
                        });
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void topKOrdersByValueThenIndex() {
        assertArrayEquals(new int[] {3, 0, 2}, MaskFill.topK(new float[] {2f, -1f, 2f, 5f}, 3));
        assertArrayEquals(new int[] {1, 0}, MaskFill.topK(new float[] {1f, 3f}, 5));
    }
}
