package org.fewner.llm.tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir Path dir;

    // ---- helpers ----

    /** A raw safetensors file: 8-byte length, the header text as given, then data. */
    private Path raw(String name, String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static HostTensor bytesTensor(DType t, long[] shape, byte[] bytes) {
        return new HostTensor(t, shape, ByteBuffer.wrap(bytes));
    }

    private static byte[] shorts(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    private TensorFileException bad(Path file) {
        TensorFileException e =
                assertThrows(TensorFileException.class, () -> SafeTensors.open(file).close());
        assertTrue(
                e.getMessage().startsWith(file.toString()),
                "message names the file: " + e.getMessage());
        assertEquals(file, e.file());
        return e;
    }

    private static void assertContains(String msg, String part) {
        assertTrue(msg.contains(part), "expected '" + part + "' in: " + msg);
    }

    // ---- round trips ----

    @Test
    void roundTripAllDtypesAndMetadata() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put(
                "w",
                HostTensor.ofFloats(
                        new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-30f, Float.MAX_VALUE}));
        t.put("ids", HostTensor.ofLongs(new long[] {3}, new long[] {Long.MIN_VALUE, 0, 42}));
        t.put(
                "i32",
                bytesTensor(
                        DType.I32,
                        new long[] {2},
                        ByteBuffer.allocate(8)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .putInt(-5)
                                .putInt(7)
                                .array()));
        // BF16: 1.0 = 0x3f80, -2.0 = 0xc000, 0.15625 = 0x3e20
        t.put("bf", bytesTensor(DType.BF16, new long[] {3}, shorts(0x3f80, 0xc000, 0x3e20)));
        // F16: 1.0 = 0x3c00, -0.5 = 0xb800, 65504 = 0x7bff, smallest subnormal 0x0001 = 2^-24
        t.put(
                "f16",
                bytesTensor(DType.F16, new long[] {2, 2}, shorts(0x3c00, 0xb800, 0x7bff, 0x0001)));
        t.put("scalar", HostTensor.ofFloats(new long[] {}, new float[] {7}));
        t.put("empty", HostTensor.ofFloats(new long[] {0, 4}, new float[] {}));
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, t, Map.of("format", "pt"));
        try (TensorSource s = SafeTensors.open(f)) {
            assertEquals(new java.util.TreeSet<>(t.keySet()), s.names());
            assertEquals(Map.of("format", "pt"), s.metadata());
            for (String n : t.keySet()) {
                assertEquals(t.get(n), s.get(n), n);
                assertEquals(t.get(n).dtype(), s.info(n).dtype());
                assertArrayEquals(t.get(n).shape(), s.info(n).shape());
            }
            assertArrayEquals(new float[] {1, -2, 0.15625f}, s.get("bf").toFloats());
            assertArrayEquals(new float[] {1, -0.5f, 65504f, 0x1p-24f}, s.get("f16").toFloats());
            assertArrayEquals(new long[] {-5, 7}, s.get("i32").toLongs());
            assertArrayEquals(new long[] {Long.MIN_VALUE, 0, 42}, s.get("ids").toLongs());
            TensorFileException e = assertThrows(TensorFileException.class, () -> s.get("nope"));
            assertContains(e.getMessage(), "no tensor named 'nope'");
        }
    }

    @Test
    void headerIsEightByteAlignedAndSpacePadded() throws Exception {
        Path f = dir.resolve("a.safetensors");
        SafeTensors.write(
                f, Map.of("x", HostTensor.ofFloats(new long[] {1}, new float[] {1})), null);
        byte[] b = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8);
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"));
        assertTrue(header.stripTrailing().endsWith("}"));
        assertEquals(8 + n + 4, b.length);
    }

    @Test
    void writeIsAtomicAndLeavesNoTempFiles() throws Exception {
        Path f = dir.resolve("sub/dir/m.safetensors");
        SafeTensors.write(
                f, Map.of("x", HostTensor.ofFloats(new long[] {1}, new float[] {1})), null);
        SafeTensors.write(
                f, Map.of("y", HostTensor.ofFloats(new long[] {2}, new float[] {2, 3})), null);
        try (TensorSource s = SafeTensors.open(f)) {
            assertEquals(java.util.Set.of("y"), s.names()); // replaced, not merged
        }
        try (Stream<Path> l = Files.list(f.getParent())) {
            assertEquals(List.of(f), l.toList());
        }
        // a parent that is a file: clear error, nothing written
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "x");
        TensorFileException e =
                assertThrows(
                        TensorFileException.class,
                        () -> SafeTensors.write(blocker.resolve("m.safetensors"), Map.of(), null));
        assertContains(e.getMessage(), "cannot write");
        Path reserved = dir.resolve("reserved.safetensors");
        e =
                assertThrows(
                        TensorFileException.class,
                        () ->
                                SafeTensors.write(
                                        reserved,
                                        Map.of(
                                                "__metadata__",
                                                HostTensor.ofFloats(
                                                        new long[] {1}, new float[] {1})),
                                        null));
        assertContains(e.getMessage(), "'__metadata__' is reserved");
        assertFalse(Files.exists(reserved));
    }

    @Test
    void memoryMappedReadMatchesWrittenValues() {
        // values read through a memory map equal what was written, element by element
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i) * i;
        }
        Path f = dir.resolve("big.safetensors");
        SafeTensors.write(f, Map.of("v", HostTensor.ofFloats(new long[] {10, 100}, v)), null);
        assertArrayEquals(v, SafeTensors.readAll(f).get("v").toFloats());
    }

    // ---- bad input ----

    @Test
    void tooShortForTheLength() throws Exception {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertContains(bad(f).getMessage(), "truncated: 3 bytes");
    }

    @Test
    void headerLongerThanFile() throws Exception {
        Path f = dir.resolve("long.safetensors");
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Files.write(f, b.array());
        assertContains(
                bad(f).getMessage(), "header length 1000 does not fit in the file of 20 bytes");
        ByteBuffer neg = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(-1);
        Files.write(f, neg.array());
        assertContains(bad(f).getMessage(), "does not fit");
    }

    @Test
    void truncatedData() throws Exception {
        Path f =
                raw(
                        "trunc.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                        new byte[10]);
        assertContains(bad(f).getMessage(), "out of bounds of the 10-byte data area");
        // a real file cut short
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(
                good, Map.of("x", HostTensor.ofFloats(new long[] {8}, new float[8])), null);
        byte[] all = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 5));
        assertContains(bad(cut).getMessage(), "out of bounds");
    }

    @Test
    void overlappingOffsets() throws Exception {
        Path f =
                raw(
                        "overlap.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        new byte[12]);
        String m = bad(f).getMessage();
        assertContains(m, "tensor 'b' [4, 12) overlaps tensor 'a'");
    }

    @Test
    void gapAndTrailingBytes() throws Exception {
        Path gap =
                raw(
                        "gap.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        new byte[8]);
        assertContains(bad(gap).getMessage(), "gap of 4 bytes before tensor 'a'");
        Path trail =
                raw(
                        "trail.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        new byte[8]);
        assertContains(bad(trail).getMessage(), "data area is 8 bytes but the tensors cover 4");
    }

    @Test
    void shapeSizeMismatch() throws Exception {
        Path f =
                raw(
                        "shape.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                        new byte[8]);
        assertContains(
                bad(f).getMessage(),
                "tensor 'a': shape [3] of F32 needs 12 bytes but data_offsets give 8");
        Path bf =
                raw(
                        "shape16.safetensors",
                        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,4]}}",
                        new byte[4]);
        assertContains(bad(bf).getMessage(), "needs 8 bytes");
    }

    @Test
    void unknownDtype() throws Exception {
        Path f =
                raw(
                        "dtype.safetensors",
                        "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}",
                        new byte[4]);
        String m = bad(f).getMessage();
        assertContains(m, "tensor 'a': unsupported dtype 'F8_E4M3'");
        assertContains(m, "supported: F32, F16, BF16, I64, I32");
    }

    @Test
    void malformedHeaders() throws Exception {
        assertContains(
                bad(raw("json.safetensors", "{not json", new byte[0])).getMessage(),
                "header is not valid JSON");
        assertContains(
                bad(raw("arr.safetensors", "[1,2]", new byte[0])).getMessage(),
                "not a JSON object");
        assertContains(
                bad(raw(
                                "dup.safetensors",
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                                new byte[8]))
                        .getMessage(),
                "Duplicate field 'a'");
        assertContains(
                bad(raw(
                                "fields.safetensors",
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}",
                                new byte[4]))
                        .getMessage(),
                "tensor 'a': expected {dtype, shape, data_offsets}");
        assertContains(
                bad(raw(
                                "dim.safetensors",
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}",
                                new byte[4]))
                        .getMessage(),
                "bad dimension 1.5");
        assertContains(
                bad(raw(
                                "negdim.safetensors",
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
                                new byte[4]))
                        .getMessage(),
                "bad dimension -1");
        assertContains(
                bad(raw(
                                "off.safetensors",
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}",
                                new byte[4]))
                        .getMessage(),
                "out of bounds");
        assertContains(
                bad(raw(
                                "huge.safetensors",
                                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}",
                                new byte[4]))
                        .getMessage(),
                "overflows");
        assertContains(
                bad(raw("meta.safetensors", "{\"__metadata__\":[1]}", new byte[0])).getMessage(),
                "__metadata__ must be an object");
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("absent.safetensors");
        assertContains(bad(f).getMessage(), "cannot read");
    }

    // ---- shards and model directories ----

    private void writeShards(Path model, Map<String, String> weightMap) throws Exception {
        SafeTensors.write(
                model.resolve("s1.safetensors"),
                Map.of(
                        "a", HostTensor.ofFloats(new long[] {2}, new float[] {1, 2}),
                        "b", HostTensor.ofFloats(new long[] {1}, new float[] {3})),
                null);
        SafeTensors.write(
                model.resolve("s2.safetensors"),
                Map.of("c", HostTensor.ofLongs(new long[] {1}, new long[] {9})),
                null);
        Files.write(
                model.resolve(SafeTensors.INDEX_FILE),
                Json.MAPPER.writeValueAsBytes(
                        Map.of("metadata", Map.of(), "weight_map", weightMap)));
    }

    @Test
    void shardedCheckpoint() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        writeShards(
                model, Map.of("a", "s1.safetensors", "b", "s1.safetensors", "c", "s2.safetensors"));
        try (TensorSource s = SafeTensors.openModelDirectory(model)) {
            assertEquals(java.util.Set.of("a", "b", "c"), s.names());
            assertArrayEquals(new float[] {1, 2}, s.get("a").toFloats());
            assertArrayEquals(new long[] {9}, s.get("c").toLongs());
            assertContains(
                    assertThrows(TensorFileException.class, () -> s.get("zz")).getMessage(),
                    "no tensor named 'zz' in the weight_map");
        }
    }

    @Test
    void shardedErrors() throws Exception {
        Path m1 = Files.createDirectories(dir.resolve("m1"));
        writeShards(m1, Map.of("a", "s1.safetensors", "c", "s1.safetensors"));
        Path idx = m1.resolve(SafeTensors.INDEX_FILE);
        TensorFileException e =
                assertThrows(TensorFileException.class, () -> SafeTensors.openSharded(idx));
        assertContains(
                e.getMessage(),
                "tensor 'c' is mapped to shard 's1.safetensors' which does not contain it");
        assertEquals(idx, e.file());

        Path m2 = Files.createDirectories(dir.resolve("m2"));
        writeShards(m2, Map.of("a", "s3.safetensors"));
        assertContains(
                assertThrows(TensorFileException.class, () -> SafeTensors.openModelDirectory(m2))
                        .getMessage(),
                "shard 's3.safetensors' is missing");

        Path m3 = Files.createDirectories(dir.resolve("m3"));
        writeShards(m3, Map.of("a", "../m1/s1.safetensors"));
        assertContains(
                assertThrows(TensorFileException.class, () -> SafeTensors.openModelDirectory(m3))
                        .getMessage(),
                "lies outside the model directory");

        Path m4 = Files.createDirectories(dir.resolve("m4"));
        Files.writeString(m4.resolve(SafeTensors.INDEX_FILE), "{\"metadata\":{}}");
        assertContains(
                assertThrows(TensorFileException.class, () -> SafeTensors.openModelDirectory(m4))
                        .getMessage(),
                "'weight_map'");
    }

    @Test
    void pickleIsNeverRead() throws Exception {
        Path model = Files.createDirectories(dir.resolve("pt"));
        Files.write(model.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        TensorFileException e =
                assertThrows(
                        TensorFileException.class, () -> SafeTensors.openModelDirectory(model));
        assertEquals(model.resolve("pytorch_model.bin"), e.file());
        assertContains(e.getMessage(), "never read");
        assertContains(e.getMessage(), "save_file");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertContains(
                assertThrows(TensorFileException.class, () -> SafeTensors.openModelDirectory(empty))
                        .getMessage(),
                "no model.safetensors or model.safetensors.index.json");
    }
}
