package org.fewner.llm.hub;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A TensorFlow tensor bundle ({@code variables.index} + {@code variables.data-00000-of-00001}),
 * read in plain Java. Only what TF 1.x checkpoints of float32 models need: one shard, little
 * endian, uncompressed SSTable blocks, DT_FLOAT tensors without slices. Every block and every
 * tensor is checked against its masked CRC32C.
 *
 * <p>Format (stack.md §9): the index is a LevelDB SSTable. Its last 48 bytes are the footer:
 * metaindex and index BlockHandles (varint64 offset, varint64 size), zero padding to 40 bytes, the
 * fixed64 magic {@value #MAGIC_HEX}. Each block is followed by a compression byte and the masked
 * CRC32C of block + that byte. A block holds entries {@code varint32 shared, varint32 non_shared,
 * varint32 value_len, key suffix, value}, then {@code fixed32} restart offsets and their {@code
 * fixed32} count. Index-block values are BlockHandles of data blocks; data-block keys are tensor
 * names, the empty key holds {@code BundleHeaderProto}, others {@code BundleEntryProto} (1 dtype, 2
 * shape, 3 shard_id, 4 offset, 5 size, 6 crc32c fixed32, 7 slices).
 */
public final class TfTensorBundle {
    static final long MAGIC = 0xdb4775248b80fb57L;
    static final String MAGIC_HEX = "0xdb4775248b80fb57";
    static final int FOOTER = 48;

    /** TF's DataType enum value of float32. */
    static final int DT_FLOAT = 1;

    /** One tensor's index entry. */
    public record Entry(
            String name, int dtype, long[] shape, long offset, long size, int maskedCrc) {
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    private final Path index;
    private final Path data;
    private final Map<String, Entry> entries;

    private TfTensorBundle(Path index, Path data, Map<String, Entry> entries) {
        this.index = index;
        this.data = data;
        this.entries = entries;
    }

    /**
     * Parses and checks {@code index} (CRCs of all blocks; every entry's dtype, shard, bounds
     * within {@code data}).
     *
     * @throws TfBundleException naming the file and the problem
     */
    public static TfTensorBundle open(Path index, Path data) {
        byte[] bytes;
        long dataSize;
        try {
            bytes = Files.readAllBytes(index);
            dataSize = Files.size(data);
        } catch (IOException e) {
            throw new TfBundleException(index, "cannot read: " + e.getMessage(), e);
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        parseIndex(index, bytes, dataSize, entries);
        return new TfTensorBundle(index, data, Collections.unmodifiableMap(entries));
    }

    /** Tensor entries by name, in the file's (byte) order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new TfBundleException(index, "no tensor named '" + name + "'");
        }
        return e;
    }

    /**
     * The tensor's values (row-major float32), after checking the data bytes against the entry's
     * CRC32C.
     */
    public float[] readFloats(String name) {
        Entry e = entry(name);
        if (e.size > Integer.MAX_VALUE) {
            throw new TfBundleException(data, "tensor '" + name + "' is larger than 2 GiB");
        }
        ByteBuffer b = ByteBuffer.allocate((int) e.size);
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (ch.read(b, e.offset + b.position()) < 0) {
                    throw new TfBundleException(data, "truncated inside tensor '" + name + "'");
                }
            }
        } catch (IOException ex) {
            throw new TfBundleException(
                    data, "cannot read tensor '" + name + "': " + ex.getMessage(), ex);
        }
        byte[] raw = b.array();
        int crc = maskedCrc32c(raw, 0, raw.length);
        if (crc != e.maskedCrc) {
            throw new TfBundleException(
                    data,
                    "CRC32C mismatch for tensor '"
                            + name
                            + "' (stored "
                            + Integer.toHexString(e.maskedCrc)
                            + ", computed "
                            + Integer.toHexString(crc)
                            + "): corrupt download?");
        }
        float[] out = new float[(int) (e.size / 4)];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** LevelDB/TF masked CRC32C: {@code ((c >>> 15) | (c << 17)) + 0xa282ead8}. */
    public static int maskedCrc32c(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        int v = (int) c.getValue();
        return ((v >>> 15) | (v << 17)) + 0xa282ead8;
    }

    // ---- SSTable ----

    private static void parseIndex(Path file, byte[] b, long dataSize, Map<String, Entry> out) {
        if (b.length < FOOTER) {
            throw new TfBundleException(
                    file, "truncated: " + b.length + " bytes, an SSTable has a 48-byte footer");
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long magic = bb.getLong(b.length - 8);
        if (magic != MAGIC) {
            throw new TfBundleException(
                    file,
                    "bad magic 0x"
                            + Long.toHexString(magic)
                            + " (expected "
                            + MAGIC_HEX
                            + "): not a TF tensor-bundle index");
        }
        Cursor f = new Cursor(file, b, b.length - FOOTER, b.length - 8, "footer");
        f.varint64(); // metaindex handle: unused by tensor bundles
        f.varint64();
        long indexOff = f.varint64();
        long indexSize = f.varint64();
        Cursor indexBlock = block(file, b, indexOff, indexSize, "index block");
        boolean sawHeader = false;
        for (KeyValue kv : entries(indexBlock)) {
            Cursor h = new Cursor(file, kv.value, 0, kv.value.length, "block handle");
            long off = h.varint64();
            long size = h.varint64();
            Cursor dataBlock = block(file, b, off, size, "data block at " + off);
            for (KeyValue e : entries(dataBlock)) {
                if (e.key.isEmpty()) {
                    checkHeader(file, e.value);
                    sawHeader = true;
                } else {
                    out.put(e.key, parseEntry(file, e.key, e.value, dataSize));
                }
            }
        }
        if (!sawHeader) {
            throw new TfBundleException(file, "no BundleHeaderProto (empty key) in the index");
        }
    }

    private static Cursor block(Path file, byte[] b, long off, long size, String what) {
        if (off < 0 || size < 0 || off + size + 5 > b.length - FOOTER) {
            throw new TfBundleException(
                    file,
                    what + ": [" + off + ", +" + size + "] plus trailer lies outside the file");
        }
        int o = (int) off;
        int n = (int) size;
        int type = b[o + n] & 0xff;
        int stored = ByteBuffer.wrap(b, o + n + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int crc = maskedCrc32c(b, o, n + 1);
        if (crc != stored) {
            throw new TfBundleException(
                    file,
                    what
                            + ": CRC32C mismatch (stored "
                            + Integer.toHexString(stored)
                            + ", computed "
                            + Integer.toHexString(crc)
                            + ")");
        }
        if (type != 0) {
            throw new TfBundleException(
                    file,
                    what + ": compression type " + type + " is not supported (only 0 = none)");
        }
        if (n < 4) {
            throw new TfBundleException(file, what + ": too short for its restart count");
        }
        int restarts = ByteBuffer.wrap(b, o + n - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        long end = (long) n - 4 - 4L * restarts;
        if (restarts < 0 || end < 0) {
            throw new TfBundleException(
                    file, what + ": restart count " + restarts + " does not fit the block");
        }
        return new Cursor(file, b, o, o + (int) end, what);
    }

    private record KeyValue(String key, byte[] value) {}

    private static Iterable<KeyValue> entries(Cursor c) {
        java.util.List<KeyValue> out = new java.util.ArrayList<>();
        byte[] prev = new byte[0];
        while (c.pos < c.end) {
            long sharedV = c.varint64();
            if (sharedV < 0 || sharedV > prev.length) {
                throw c.error(
                        "entry shares "
                                + sharedV
                                + " key bytes but the previous key has "
                                + prev.length);
            }
            int shared = (int) sharedV;
            int nonShared = c.length();
            int valueLen = c.length();
            if (shared > prev.length || shared < 0 || nonShared < 0 || valueLen < 0) {
                throw c.error(
                        "bad entry lengths (shared "
                                + shared
                                + ", non_shared "
                                + nonShared
                                + ", value "
                                + valueLen
                                + ")");
            }
            byte[] key = Arrays.copyOf(prev, shared + nonShared);
            System.arraycopy(c.bytes(nonShared), 0, key, shared, nonShared);
            byte[] value = c.bytes(valueLen);
            out.add(new KeyValue(new String(key, java.nio.charset.StandardCharsets.UTF_8), value));
            prev = key;
        }
        return out;
    }

    // ---- protos ----

    private static void checkHeader(Path file, byte[] v) {
        Cursor c = new Cursor(file, v, 0, v.length, "BundleHeaderProto");
        long shards = 1;
        long endianness = 0;
        while (c.pos < c.end) {
            long tag = c.varint64();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 0) {
                shards = c.varint64();
            } else if (field == 2 && wire == 0) {
                endianness = c.varint64();
            } else {
                c.skip(wire);
            }
        }
        if (shards != 1) {
            throw new TfBundleException(
                    file, "bundle has " + shards + " data shards; only 1 is supported");
        }
        if (endianness != 0) {
            throw new TfBundleException(
                    file, "bundle is big-endian; only little-endian is supported");
        }
    }

    private static Entry parseEntry(Path file, String name, byte[] v, long dataSize) {
        Cursor c = new Cursor(file, v, 0, v.length, "BundleEntryProto of '" + name + "'");
        int dtype = 0;
        long[] shape = new long[0];
        long shard = 0;
        long offset = 0;
        long size = 0;
        int crc = 0;
        boolean hasCrc = false;
        while (c.pos < c.end) {
            long tag = c.varint64();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            switch (field) {
                case 1 -> dtype = (int) c.expectVarint(wire);
                case 2 -> shape = parseShape(file, name, c.expectBytes(wire));
                case 3 -> shard = c.expectVarint(wire);
                case 4 -> offset = c.expectVarint(wire);
                case 5 -> size = c.expectVarint(wire);
                case 6 -> {
                    if (wire != 5) {
                        throw c.error("field 6 (crc32c) must be fixed32");
                    }
                    crc = c.fixed32();
                    hasCrc = true;
                }
                case 7 ->
                        throw new TfBundleException(
                                file, "tensor '" + name + "' is stored in slices, not supported");
                default -> c.skip(wire);
            }
        }
        String where = "tensor '" + name + "'";
        if (dtype != DT_FLOAT) {
            throw new TfBundleException(
                    file, where + ": TF dtype " + dtype + " is not supported (only 1 = DT_FLOAT)");
        }
        if (shard != 0) {
            throw new TfBundleException(
                    file, where + ": shard " + shard + " (only one data shard is supported)");
        }
        if (!hasCrc) {
            throw new TfBundleException(file, where + ": no crc32c");
        }
        long numel = 1;
        for (long d : shape) {
            numel = Math.multiplyExact(numel, d);
        }
        if (numel * 4 != size) {
            throw new TfBundleException(
                    file,
                    where
                            + ": shape "
                            + Arrays.toString(shape)
                            + " of float32 needs "
                            + numel * 4
                            + " bytes but the entry says "
                            + size);
        }
        if (offset < 0 || offset + size > dataSize) {
            throw new TfBundleException(
                    file,
                    where
                            + ": bytes ["
                            + offset
                            + ", "
                            + (offset + size)
                            + ") lie outside the "
                            + dataSize
                            + "-byte data file (truncated?)");
        }
        return new Entry(name, dtype, shape, offset, size, crc);
    }

    private static long[] parseShape(Path file, String name, byte[] v) {
        Cursor c = new Cursor(file, v, 0, v.length, "TensorShapeProto of '" + name + "'");
        java.util.List<Long> dims = new java.util.ArrayList<>();
        while (c.pos < c.end) {
            long tag = c.varint64();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 2 && wire == 2) {
                byte[] dim = c.expectBytes(wire);
                Cursor d =
                        new Cursor(
                                file, dim, 0, dim.length, "TensorShapeProto.Dim of '" + name + "'");
                long size = 0;
                while (d.pos < d.end) {
                    long t = d.varint64();
                    if ((t >>> 3) == 1) {
                        size = d.expectVarint((int) (t & 7));
                    } else {
                        d.skip((int) (t & 7));
                    }
                }
                if (size < 0) {
                    throw new TfBundleException(
                            file, "tensor '" + name + "' has an unknown dimension");
                }
                dims.add(size);
            } else if (field == 3 && wire == 0 && c.varint64() != 0) {
                throw new TfBundleException(file, "tensor '" + name + "' has unknown rank");
            } else if (field != 3) {
                c.skip(wire);
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** A bounded read position in a byte array; errors name the file and what was being read. */
    private static final class Cursor {
        final Path file;
        final byte[] b;
        int pos;
        final int end;
        final String what;

        Cursor(Path file, byte[] b, int pos, int end, String what) {
            this.file = file;
            this.b = b;
            this.pos = pos;
            this.end = end;
            this.what = what;
        }

        TfBundleException error(String msg) {
            return new TfBundleException(file, what + ": " + msg);
        }

        long varint64() {
            long r = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw error("truncated varint");
                }
                int x = b[pos++] & 0xff;
                r |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    return r;
                }
            }
            throw error("varint longer than 10 bytes");
        }

        int fixed32() {
            if (pos + 4 > end) {
                throw error("truncated fixed32");
            }
            int v = ByteBuffer.wrap(b, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            pos += 4;
            return v;
        }

        byte[] bytes(int n) {
            if (n < 0 || (long) pos + n > end) {
                throw error(
                        "truncated ("
                                + n
                                + " bytes wanted at "
                                + pos
                                + ", "
                                + (end - pos)
                                + " left)");
            }
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        long expectVarint(int wire) {
            if (wire != 0) {
                throw error("expected a varint field, found wire type " + wire);
            }
            return varint64();
        }

        byte[] expectBytes(int wire) {
            if (wire != 2) {
                throw error("expected a length-delimited field, found wire type " + wire);
            }
            return bytes(length());
        }

        /** A varint used as a length: must fit what is left of the buffer. */
        int length() {
            long v = varint64();
            if (v < 0 || v > end - pos) {
                throw error("length " + v + " exceeds the " + (end - pos) + " bytes left");
            }
            return (int) v;
        }

        void skip(int wire) {
            switch (wire) {
                case 0 -> varint64();
                case 1 -> bytes(8);
                case 2 -> bytes(length());
                case 5 -> bytes(4);
                default -> throw error("unsupported protobuf wire type " + wire);
            }
        }
    }
}
