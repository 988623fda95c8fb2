package org.fewner.llm.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfTensorBundleTest {
    @TempDir Path dir;

    @Test
    void maskedCrcOfKnownVector() {
        // CRC32C("123456789") = 0xe3069283 (RFC 3720 check value); masked = rotr15 + 0xa282ead8
        int c = 0xe3069283;
        int expected = ((c >>> 15) | (c << 17)) + 0xa282ead8;
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(expected, TfTensorBundle.maskedCrc32c(b, 0, b.length));
    }

    private TfBundleWriter sample() {
        TfBundleWriter w = new TfBundleWriter();
        // 20 tensors so the data block has two restart points and shared key prefixes
        for (int i = 0; i < 20; i++) {
            float[] v = new float[i + 1];
            for (int j = 0; j < v.length; j++) {
                v[j] = i * 100 + j + 0.5f;
            }
            w.put("module/bert/encoder/layer_" + i + "/x", new long[] {1, i + 1}, v);
        }
        w.put("module/a", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        w.put("module/scalar", new long[] {}, new float[] {-7f});
        return w;
    }

    private TfTensorBundle write(TfBundleWriter w) throws Exception {
        Files.write(dir.resolve("variables.index"), w.index());
        Files.write(dir.resolve("variables.data"), w.data());
        return TfTensorBundle.open(dir.resolve("variables.index"), dir.resolve("variables.data"));
    }

    @Test
    void readsEveryTensorWithShapeAndValues() throws Exception {
        TfBundleWriter w = sample();
        TfTensorBundle b = write(w);
        assertEquals(w.values.keySet(), b.entries().keySet());
        for (String n : w.values.keySet()) {
            assertArrayEquals(w.shapes.get(n), b.entry(n).shape(), n);
            assertArrayEquals(w.values.get(n), b.readFloats(n), n);
        }
        assertArrayEquals(new long[] {}, b.entry("module/scalar").shape());
    }

    @Test
    void corruptTensorBytesFailTheCrc() throws Exception {
        TfBundleWriter w = sample();
        w.corruptCrcOf = "module/a";
        TfTensorBundle b = write(w);
        b.readFloats("module/bert/encoder/layer_3/x");
        TfBundleException e = assertThrows(TfBundleException.class, () -> b.readFloats("module/a"));
        assertTrue(
                e.getMessage().contains("CRC32C mismatch for tensor 'module/a'"), e.getMessage());
        assertTrue(e.getMessage().contains("variables.data"), e.getMessage());
    }

    @Test
    void flippedIndexByteFailsTheBlockCrc() throws Exception {
        byte[] idx = sample().index();
        idx[5] ^= 0x40;
        Files.write(dir.resolve("variables.index"), idx);
        Files.write(dir.resolve("variables.data"), sample().data());
        TfBundleException e =
                assertThrows(
                        TfBundleException.class,
                        () ->
                                TfTensorBundle.open(
                                        dir.resolve("variables.index"),
                                        dir.resolve("variables.data")));
        assertTrue(e.getMessage().contains("CRC32C mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("variables.index"), e.getMessage());
    }

    @Test
    void badMagicAndTruncation() throws Exception {
        byte[] idx = sample().index();
        Files.write(dir.resolve("variables.data"), sample().data());
        byte[] bad = idx.clone();
        bad[bad.length - 1] ^= 1;
        Files.write(dir.resolve("variables.index"), bad);
        TfBundleException e =
                assertThrows(
                        TfBundleException.class,
                        () ->
                                TfTensorBundle.open(
                                        dir.resolve("variables.index"),
                                        dir.resolve("variables.data")));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
        Files.write(dir.resolve("variables.index"), Arrays.copyOf(idx, 20));
        e =
                assertThrows(
                        TfBundleException.class,
                        () ->
                                TfTensorBundle.open(
                                        dir.resolve("variables.index"),
                                        dir.resolve("variables.data")));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void fuzzedIndexNeverEscapesAsAnotherException() throws Exception {
        // every single-byte corruption of the index is either caught by a CRC/format check with a
        // clear error or
        // (only in bytes no CRC covers, e.g. footer padding) harmless: never another exception,
        // never a JVM crash
        byte[] idx = sample().index();
        Files.write(dir.resolve("variables.data"), sample().data());
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < idx.length; i++) {
            byte[] bad = idx.clone();
            bad[i] ^= (byte) (1 + r.nextInt(255));
            Files.write(dir.resolve("variables.index"), bad);
            try {
                TfTensorBundle b =
                        TfTensorBundle.open(
                                dir.resolve("variables.index"), dir.resolve("variables.data"));
                for (String n : b.entries().keySet()) {
                    b.readFloats(n);
                }
            } catch (TfBundleException e) {
                assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
            }
        }
    }

    @Test
    void truncatedDataFileIsReportedPerTensor() throws Exception {
        TfBundleWriter w = sample();
        Files.write(dir.resolve("variables.index"), w.index());
        byte[] data = w.data();
        Files.write(dir.resolve("variables.data"), Arrays.copyOf(data, data.length - 4));
        TfBundleException e =
                assertThrows(
                        TfBundleException.class,
                        () ->
                                TfTensorBundle.open(
                                        dir.resolve("variables.index"),
                                        dir.resolve("variables.data")));
        assertTrue(
                e.getMessage().contains("outside the") && e.getMessage().contains("data file"),
                e.getMessage());
    }
}
