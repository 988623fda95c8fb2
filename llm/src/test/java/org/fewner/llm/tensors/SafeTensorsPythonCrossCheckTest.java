package org.fewner.llm.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fewner.llm.testutil.Python;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our reader and writer against the independent numpy implementation in shared/reference (skipped
 * without python3, numpy or the shared folder).
 */
class SafeTensorsPythonCrossCheckTest {
    @TempDir Path dir;

    /**
     * Re-saves every tensor of a model dir (or file) as F32/I64 with the reference, as a float32
     * "truth" dump.
     */
    private static final String DUMP =
            String.join(
                    "\n",
                    "import sys, os, numpy as np, safetensors_np as st",
                    "src, out = sys.argv[1], sys.argv[2]",
                    "t = st.load_model_tensors(src) if os.path.isdir(src) else st.load_file(src)",
                    "conv = {k: (v.astype(np.int64) if v.dtype.kind in 'iu' else v.astype(np.float32)) for k, v in t.items()}",
                    "st.save_file(conv, out, None, {k: ('I64' if v.dtype.kind in 'iu' else 'F32') for k, v in conv.items()})",
                    "print(len(conv))");

    private void compareWithDump(Path ours, Path dump) {
        try (TensorSource src =
                        Files.isDirectory(ours)
                                ? SafeTensors.openModelDirectory(ours)
                                : SafeTensors.open(ours);
                TensorSource ref = SafeTensors.open(dump)) {
            assertEquals(ref.names(), src.names());
            for (String n : ref.names()) {
                HostTensor a = src.get(n);
                HostTensor b = ref.get(n);
                assertArrayEquals(b.shape(), a.shape(), n);
                if (a.dtype().isFloating()) {
                    assertArrayEquals(
                            b.toFloats(), a.toFloats(), 0f, n); // widening is exact on both sides
                } else {
                    assertArrayEquals(b.toLongs(), a.toLongs(), n);
                }
            }
        }
    }

    @Test
    void shardedBf16RandomModelReadsLikeTheReference() throws Exception {
        Path ref = Python.referenceDir();
        Path model = dir.resolve("model");
        String config =
                ref.resolveSibling("models")
                        .resolve("configs")
                        .resolve("bert-base-cased.json")
                        .toString();
        Python.run(
                ref,
                "random_model.py",
                "--config",
                config,
                "--layers",
                "2",
                "--hidden",
                "32",
                "--intermediate",
                "64",
                "--heads",
                "4",
                "--vocab",
                "120",
                "--seed",
                "7",
                "--init-std",
                "0.2",
                "--random-norms",
                "--dtype",
                "BF16",
                "--shards",
                "3",
                "--out",
                model.toString());
        assertTrue(Files.isRegularFile(model.resolve(SafeTensors.INDEX_FILE)));
        try (TensorSource s = SafeTensors.openModelDirectory(model)) {
            for (String n : s.names()) {
                assertEquals(DType.BF16, s.info(n).dtype(), n);
            }
        }
        Path dump = dir.resolve("dump.safetensors");
        Python.run(ref, "-c", DUMP, model.toString(), dump.toString());
        compareWithDump(model, dump);
    }

    @Test
    void f16RandomModelReadsLikeTheReference() throws Exception {
        Path ref = Python.referenceDir();
        Path model = dir.resolve("model16");
        String config =
                ref.resolveSibling("models")
                        .resolve("configs")
                        .resolve("llama-3.2-1b.json")
                        .toString();
        Python.run(
                ref,
                "random_model.py",
                "--config",
                config,
                "--layers",
                "1",
                "--hidden",
                "32",
                "--intermediate",
                "48",
                "--heads",
                "4",
                "--kv-heads",
                "2",
                "--vocab",
                "64",
                "--seed",
                "3",
                "--dtype",
                "F16",
                "--out",
                model.toString());
        Path dump = dir.resolve("dump16.safetensors");
        Python.run(ref, "-c", DUMP, model.toString(), dump.toString());
        compareWithDump(model, dump);
    }

    @Test
    void theReferenceReadsWhatWeWrite() throws Exception {
        Path ref = Python.referenceDir();
        Map<String, HostTensor> t = new LinkedHashMap<>();
        float[] f = new float[24];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) Math.exp(i - 12) * (i % 2 == 0 ? 1 : -1);
        }
        t.put("f32", HostTensor.ofFloats(new long[] {2, 3, 4}, f));
        ByteBuffer bf =
                ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putShort((short) 0x3f80)
                        .putShort((short) 0xc2f7)
                        .putShort((short) 0x0001)
                        .putShort((short) 0xff80);
        t.put("bf16", new HostTensor(DType.BF16, new long[] {4}, bf.flip()));
        t.put("ids", HostTensor.ofLongs(new long[] {3}, new long[] {1, -2, 1L << 40}));
        Path ours = dir.resolve("ours.safetensors");
        SafeTensors.write(ours, t, Map.of("format", "pt"));
        Path dump = dir.resolve("ours-dump.safetensors");
        Python.run(ref, "-c", DUMP, ours.toString(), dump.toString());
        compareWithDump(ours, dump);
    }
}
