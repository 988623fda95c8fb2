package org.fewner.llm.hub;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test-side writer of a tiny TF tensor bundle (index SSTable + data bytes), written from the format
 * description in stack.md §9 independently of {@link TfTensorBundle}: one data block with all
 * entries (restart every 16), one index block with one entry, an empty metaindex block, footer with
 * magic. Used to feed the reader and the converter.
 */
final class TfBundleWriter {
    final Map<String, float[]> values = new TreeMap<>();
    final Map<String, long[]> shapes = new TreeMap<>();

    /** When set, the stored CRC of this tensor is wrong. */
    String corruptCrcOf;

    TfBundleWriter put(String name, long[] shape, float[] v) {
        values.put(name, v);
        shapes.put(name, shape);
        return this;
    }

    byte[] data() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (float[] v : values.values()) {
            out.writeBytes(floats(v));
        }
        return out.toByteArray();
    }

    byte[] index() {
        // data block: "" -> header, then names in byte order (TreeMap of String = UTF-16 order =
        // byte order for ASCII)
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        ByteArrayOutputStream restarts = new ByteArrayOutputStream();
        byte[] prev = new byte[0];
        int count = 0;
        int nRestarts = 0;
        TreeMap<String, byte[]> kv = new TreeMap<>();
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        tag(header, 1, 0);
        varint(header, 1);
        tag(header, 3, 2);
        varint(header, 2);
        tag(header, 1, 0);
        varint(header, 1); // version {producer 1}
        kv.put("", header.toByteArray());
        long offset = 0;
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            byte[] bytes = floats(e.getValue());
            kv.put(
                    e.getKey(),
                    entryProto(
                            shapes.get(e.getKey()),
                            offset,
                            bytes.length,
                            TfTensorBundle.maskedCrc32c(bytes, 0, bytes.length)
                                    + (e.getKey().equals(corruptCrcOf) ? 1 : 0)));
            offset += bytes.length;
        }
        for (Map.Entry<String, byte[]> e : kv.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            int shared = 0;
            if (count % 16 == 0) {
                fixed32(restarts, block.size());
                nRestarts++;
            } else {
                while (shared < Math.min(prev.length, key.length) && prev[shared] == key[shared]) {
                    shared++;
                }
            }
            varint(block, shared);
            varint(block, key.length - shared);
            varint(block, e.getValue().length);
            block.write(key, shared, key.length - shared);
            block.writeBytes(e.getValue());
            prev = key;
            count++;
        }
        block.writeBytes(restarts.toByteArray());
        fixed32(block, nRestarts);

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        long dataOff = file.size();
        byte[] dataBlock = block.toByteArray();
        writeBlock(file, dataBlock);
        long metaOff = file.size();
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        fixed32(meta, 0);
        fixed32(meta, 1);
        byte[] metaBlock = meta.toByteArray();
        writeBlock(file, metaBlock);
        // index block: one entry "n" -> handle of the data block
        ByteArrayOutputStream handle = new ByteArrayOutputStream();
        varint(handle, dataOff);
        varint(handle, dataBlock.length);
        ByteArrayOutputStream idx = new ByteArrayOutputStream();
        varint(idx, 0);
        varint(idx, 1);
        varint(idx, handle.size());
        idx.write('n');
        idx.writeBytes(handle.toByteArray());
        fixed32(idx, 0);
        fixed32(idx, 1);
        long indexOff = file.size();
        byte[] indexBlock = idx.toByteArray();
        writeBlock(file, indexBlock);
        ByteArrayOutputStream footer = new ByteArrayOutputStream();
        varint(footer, metaOff);
        varint(footer, metaBlock.length);
        varint(footer, indexOff);
        varint(footer, indexBlock.length);
        while (footer.size() < 40) {
            footer.write(0);
        }
        ByteBuffer magic =
                ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(0, TfTensorBundle.MAGIC);
        footer.writeBytes(magic.array());
        file.writeBytes(footer.toByteArray());
        return file.toByteArray();
    }

    private static void writeBlock(ByteArrayOutputStream file, byte[] block) {
        file.writeBytes(block);
        byte[] withType = java.util.Arrays.copyOf(block, block.length + 1);
        file.write(0);
        fixed32(file, TfTensorBundle.maskedCrc32c(withType, 0, withType.length));
    }

    private static byte[] entryProto(long[] shape, long offset, long size, int crc) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        tag(p, 1, 0);
        varint(p, 1); // DT_FLOAT
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (long d : shape) {
            ByteArrayOutputStream dim = new ByteArrayOutputStream();
            tag(dim, 1, 0);
            varint(dim, d);
            tag(s, 2, 2);
            varint(s, dim.size());
            s.writeBytes(dim.toByteArray());
        }
        tag(p, 2, 2);
        varint(p, s.size());
        p.writeBytes(s.toByteArray());
        if (offset != 0) {
            tag(p, 4, 0);
            varint(p, offset);
        }
        tag(p, 5, 0);
        varint(p, size);
        tag(p, 6, 5);
        fixed32(p, crc);
        return p.toByteArray();
    }

    static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    private static void tag(ByteArrayOutputStream o, int field, int wire) {
        varint(o, (long) field << 3 | wire);
    }

    static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7fL) != 0) {
            o.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        o.write((int) v);
    }

    static void fixed32(ByteArrayOutputStream o, int v) {
        o.write(v);
        o.write(v >>> 8);
        o.write(v >>> 16);
        o.write(v >>> 24);
    }
}
