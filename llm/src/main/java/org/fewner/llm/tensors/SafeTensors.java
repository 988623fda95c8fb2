package org.fewner.llm.tensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.fewner.common.Json;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then the
 * tensor bytes.
 *
 * <p>Why our own and not DJL's {@code NDList.decode}/{@code NDList.encode(Encoding.SAFETENSORS)}
 * (checked in the bytecode of ai.djl:api 0.35.1): its reader maps the file's dtype string through
 * {@code DataType.fromSafetensors} straight into {@code NDManager.create}, so a BF16 checkpoint
 * becomes a {@code BFLOAT16} NDArray, which aborts the JVM in the PyTorch engine 0.35.1 (stack.md
 * §2); it reads the whole stream into one {@code byte[]} with {@code int} offsets (no memory
 * mapping, at most 2 GiB), creates every tensor at once on the engine, and checks neither offsets
 * against the data size, nor overlaps, nor shapes against byte sizes (a bad file surfaces as an
 * {@code IndexOutOfBoundsException} or a wrong tensor); it knows no {@code
 * model.safetensors.index.json}; and its writer needs NDArrays in an engine and writes in place,
 * not atomically. Reading here memory-maps the file and validates the whole header before any
 * tensor is used: header length within the file, offsets in bounds, no overlaps, the tensors tiling
 * the data area exactly, every shape matching its byte size; F16/BF16 are widened to F32 in Java.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = Json.MAPPER;

    /** Header reader: a key given twice is an error, not "last one wins". */
    private static final com.fasterxml.jackson.databind.ObjectReader HEADER_READER =
            JSON.reader()
                    .with(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /**
     * The reference implementation refuses larger headers too; a larger one is a corrupt or hostile
     * file.
     */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    public static final String INDEX_FILE = "model.safetensors.index.json";

    private SafeTensors() {}

    /**
     * Opens {@code model.safetensors}, or the shards listed by {@code
     * model.safetensors.index.json}, in a model directory.
     */
    public static TensorSource openModelDirectory(Path dir) {
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(single)) {
            return open(single);
        }
        if (Files.isRegularFile(index)) {
            return openSharded(index);
        }
        Path pickle = dir.resolve("pytorch_model.bin");
        if (Files.exists(pickle)) {
            throw new TensorFileException(
                    pickle,
                    "PyTorch pickle checkpoints are never read (a pickle can run code). "
                            + "Convert it to safetensors first, e.g. in Python: "
                            + "from safetensors.torch import save_file; import torch; "
                            + "save_file(torch.load('pytorch_model.bin'), 'model.safetensors'), "
                            + "or load it with transformers and call model.save_pretrained(dir, safe_serialization=True)");
        }
        throw new TensorFileException(
                dir, "no model.safetensors or " + INDEX_FILE + " in this directory");
    }

    /**
     * Opens and validates one safetensors file. Each tensor is memory-mapped on {@link
     * TensorSource#get} (files over 2 GiB work; one tensor must stay under 2 GiB); nothing is
     * copied until then. Close the source when done.
     */
    public static TensorSource open(Path file) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            long size = ch.size();
            if (size < 8) {
                throw new TensorFileException(
                        file,
                        "truncated: "
                                + size
                                + " bytes, a safetensors file has at least 8 (header length)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > size - 8) {
                throw new TensorFileException(
                        file,
                        "header length "
                                + headerLen
                                + " does not fit in the file of "
                                + size
                                + " bytes (truncated or not a safetensors file)");
            }
            if (headerLen > MAX_HEADER_BYTES) {
                throw new TensorFileException(
                        file,
                        "header length " + headerLen + " exceeds " + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            String headerText = StandardCharsets.UTF_8.decode(hb.flip()).toString();
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, Entry> entries = new TreeMap<>();
            Map<String, String> metadata = parseHeader(file, headerText, dataLen, entries);
            return new SingleFile(file, entries, metadata, ch, dataStart);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing with the more useful error
                }
            }
            if (e instanceof TensorFileException t) {
                throw t;
            }
            throw new TensorFileException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** A JSON value for a message: as written when short, else quoted and cut. */
    private static String shortText(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() <= 40 ? s : org.fewner.common.FewNerException.quote(s);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private record Entry(DType dtype, long[] shape, long begin, long end) {}

    private static Map<String, String> parseHeader(
            Path file, String text, long dataLen, Map<String, Entry> out) {
        JsonNode root;
        try {
            root = HEADER_READER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new TensorFileException(
                    file,
                    "header is not valid JSON: "
                            + (e.getLocation() == null
                                    ? ""
                                    : "column " + e.getLocation().getColumnNr() + ": ")
                            + Json.originalMessage(e),
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new TensorFileException(file, "header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw new TensorFileException(
                            file, "__metadata__ must be an object of strings");
                }
                v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String where = "tensor " + org.fewner.common.FewNerException.quote(name);
            if (!v.isObject()
                    || !v.hasNonNull("dtype")
                    || !v.has("shape")
                    || !v.has("data_offsets")) {
                throw new TensorFileException(
                        file, where + ": expected {dtype, shape, data_offsets}");
            }
            DType dtype;
            try {
                dtype = DType.parse(v.get("dtype").asText());
            } catch (IllegalArgumentException e) {
                throw new TensorFileException(file, where + ": " + e.getMessage(), e);
            }
            JsonNode shapeNode = v.get("shape");
            JsonNode offs = v.get("data_offsets");
            if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                throw new TensorFileException(
                        file, where + ": shape must be an array and data_offsets [begin, end]");
            }
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!shapeNode.get(i).isIntegralNumber()
                        || !shapeNode.get(i).canConvertToLong()
                        || shapeNode.get(i).asLong() < 0) {
                    throw new TensorFileException(
                            file, where + ": bad dimension " + shortText(shapeNode.get(i)));
                }
                shape[i] = shapeNode.get(i).asLong();
            }
            long begin =
                    offs.get(0).isIntegralNumber() && offs.get(0).canConvertToLong()
                            ? offs.get(0).asLong()
                            : -1;
            long end =
                    offs.get(1).isIntegralNumber() && offs.get(1).canConvertToLong()
                            ? offs.get(1).asLong()
                            : -1;
            if (begin < 0 || end < begin || end > dataLen) {
                throw new TensorFileException(
                        file,
                        where
                                + ": data_offsets ["
                                + shortText(offs.get(0))
                                + ", "
                                + shortText(offs.get(1))
                                + "] out of bounds of the "
                                + dataLen
                                + "-byte data area (truncated file?)");
            }
            long expected;
            try {
                expected = Math.multiplyExact(HostTensor.numel(shape), dtype.byteSize());
            } catch (ArithmeticException e) {
                throw new TensorFileException(
                        file, where + ": shape " + Arrays.toString(shape) + " overflows", e);
            }
            if (end - begin != expected) {
                throw new TensorFileException(
                        file,
                        where
                                + ": shape "
                                + Arrays.toString(shape)
                                + " of "
                                + dtype
                                + " needs "
                                + expected
                                + " bytes but data_offsets give "
                                + (end - begin));
            }
            out.put(name, new Entry(dtype, shape, begin, end));
        }
        List<Map.Entry<String, Entry>> sorted = new ArrayList<>(out.entrySet());
        sorted.sort(
                Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().begin)
                        .thenComparingLong(e -> e.getValue().end));
        long pos = 0;
        String prev = null;
        for (Map.Entry<String, Entry> e : sorted) {
            Entry en = e.getValue();
            if (en.begin < pos) {
                throw new TensorFileException(
                        file,
                        "tensor '"
                                + e.getKey()
                                + "' ["
                                + en.begin
                                + ", "
                                + en.end
                                + ") overlaps tensor '"
                                + prev
                                + "' (ends at "
                                + pos
                                + ")");
            }
            if (en.begin > pos) {
                throw new TensorFileException(
                        file,
                        "gap of "
                                + (en.begin - pos)
                                + " bytes before tensor '"
                                + e.getKey()
                                + "' at offset "
                                + pos
                                + " (tensors must tile the data area)");
            }
            pos = en.end;
            prev = e.getKey();
        }
        if (pos != dataLen) {
            throw new TensorFileException(
                    file,
                    "data area is "
                            + dataLen
                            + " bytes but the tensors cover "
                            + pos
                            + " (trailing bytes or a truncated header)");
        }
        return metadata;
    }

    private static final class SingleFile implements TensorSource {
        private final Path file;
        private final Map<String, Entry> entries;
        private final Map<String, String> metadata;
        private final FileChannel channel;
        private final long dataStart;

        SingleFile(
                Path file,
                Map<String, Entry> entries,
                Map<String, String> metadata,
                FileChannel channel,
                long dataStart) {
            this.file = file;
            this.entries = entries;
            this.metadata = Collections.unmodifiableMap(metadata);
            this.channel = channel;
            this.dataStart = dataStart;
        }

        @Override
        public Set<String> names() {
            return Collections.unmodifiableSet(new TreeSet<>(entries.keySet()));
        }

        @Override
        public boolean contains(String name) {
            return entries.containsKey(name);
        }

        @Override
        public Map<String, String> metadata() {
            return metadata;
        }

        @Override
        public Path path() {
            return file;
        }

        @Override
        public TensorInfo info(String name) {
            Entry e = entry(name);
            return new TensorInfo(name, e.dtype, e.shape.clone());
        }

        private Entry entry(String name) {
            Entry e = entries.get(name);
            if (e == null) {
                throw new TensorFileException(file, "no tensor named '" + name + "'");
            }
            return e;
        }

        @Override
        public HostTensor get(String name) {
            Entry e = entry(name);
            long len = e.end - e.begin;
            if (len > Integer.MAX_VALUE) {
                throw new TensorFileException(
                        file, "tensor '" + name + "' is larger than 2 GiB, which is not supported");
            }
            if (len == 0) {
                return new HostTensor(e.dtype, e.shape, ByteBuffer.allocate(0));
            }
            try {
                return new HostTensor(
                        e.dtype,
                        e.shape,
                        channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin, len));
            } catch (IOException ex) {
                throw new TensorFileException(
                        file, "cannot map tensor '" + name + "': " + ex.getMessage(), ex);
            }
        }

        @Override
        public void close() {
            try {
                channel.close(); // mapped tensors stay valid until garbage-collected
            } catch (IOException ignored) {
                // nothing useful to do: the file was only read
            }
        }
    }

    /**
     * Opens a sharded checkpoint through its {@code model.safetensors.index.json} ({@code
     * weight_map}: name → shard file).
     */
    public static TensorSource openSharded(Path indexFile) {
        JsonNode root;
        try {
            root = Json.readTree(indexFile);
        } catch (org.fewner.common.FewNerException e) {
            throw new TensorFileException(
                    indexFile,
                    "cannot read the shard index: "
                            + e.getMessage().substring(indexFile.toString().length()),
                    e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new TensorFileException(
                    indexFile,
                    "expected an object with a 'weight_map' of tensor name -> shard file");
        }
        Map<String, String> nameToShard = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) {
                throw new TensorFileException(
                        indexFile,
                        "weight_map entry '"
                                + f.getKey()
                                + "' must be a shard file name, found "
                                + f.getValue());
            }
            nameToShard.put(f.getKey(), f.getValue().asText());
        }
        Map<String, TensorSource> shards = new LinkedHashMap<>();
        Path dir = indexFile.toAbsolutePath().normalize().getParent();
        try {
            for (String shard : new TreeSet<>(nameToShard.values())) {
                Path p = dir.resolve(shard).normalize();
                if (!p.startsWith(dir)) {
                    throw new TensorFileException(
                            indexFile, "shard '" + shard + "' lies outside the model directory");
                }
                if (!Files.isRegularFile(p)) {
                    throw new TensorFileException(indexFile, "shard '" + shard + "' is missing");
                }
                shards.put(shard, open(p));
            }
            for (Map.Entry<String, String> e : nameToShard.entrySet()) {
                if (!shards.get(e.getValue()).contains(e.getKey())) {
                    throw new TensorFileException(
                            indexFile,
                            "tensor '"
                                    + e.getKey()
                                    + "' is mapped to shard '"
                                    + e.getValue()
                                    + "' which does not contain it");
                }
            }
        } catch (RuntimeException e) {
            shards.values().forEach(TensorSource::close);
            throw e;
        }
        return new Sharded(indexFile, nameToShard, shards);
    }

    private static final class Sharded implements TensorSource {
        private final Path index;
        private final Map<String, String> nameToShard;
        private final Map<String, TensorSource> shards;

        Sharded(Path index, Map<String, String> nameToShard, Map<String, TensorSource> shards) {
            this.index = index;
            this.nameToShard = nameToShard;
            this.shards = shards;
        }

        private TensorSource shardOf(String name) {
            String s = nameToShard.get(name);
            if (s == null) {
                throw new TensorFileException(
                        index, "no tensor named '" + name + "' in the weight_map");
            }
            return shards.get(s);
        }

        @Override
        public Set<String> names() {
            return Collections.unmodifiableSet(new TreeSet<>(nameToShard.keySet()));
        }

        @Override
        public boolean contains(String name) {
            return nameToShard.containsKey(name);
        }

        @Override
        public HostTensor get(String name) {
            return shardOf(name).get(name);
        }

        @Override
        public TensorInfo info(String name) {
            return shardOf(name).info(name);
        }

        @Override
        public Map<String, String> metadata() {
            return shards.isEmpty() ? Map.of() : shards.values().iterator().next().metadata();
        }

        @Override
        public Path path() {
            return index;
        }

        @Override
        public void close() {
            shards.values().forEach(TensorSource::close);
        }
    }

    /**
     * Writes tensors (sorted by name, 8-byte-aligned header as the reference writer does)
     * atomically: a temporary file in the same directory, then a move over {@code file}. A crash
     * never leaves a half-written file there.
     */
    public static void write(
            Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Map<String, HostTensor> sorted = new TreeMap<>(tensors);
        if (sorted.containsKey("__metadata__")) {
            throw new TensorFileException(
                    file,
                    "'__metadata__' is reserved for the metadata map and cannot name a tensor");
        }
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : sorted.entrySet()) {
            HostTensor t = e.getValue();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype().name());
            var shape = n.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long len = t.numel() * t.dtype().byteSize();
            n.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] headerBytes;
        try {
            headerBytes = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int padded = (headerBytes.length + 7) / 8 * 8;
        byte[] hb = Arrays.copyOf(headerBytes, padded);
        Arrays.fill(hb, headerBytes.length, padded, (byte) ' ');
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            // a sibling opened with CREATE_NEW gets the user's umask (createTempFile makes 0600)
            tmp = dir.resolve("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            Files.deleteIfExists(tmp);
            try (FileChannel ch =
                    FileChannel.open(
                            tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                ByteBuffer len =
                        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(hb));
                for (HostTensor t : sorted.values()) {
                    writeFully(ch, t.data());
                }
                ch.force(true);
            }
            Files.move(
                    tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temp file has a dot name and is never read as a model
                }
            }
            throw new TensorFileException(file, "cannot write: " + e.getMessage(), e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads every tensor of a file into memory (small files: adapters, inspect dumps). */
    public static Map<String, HostTensor> readAll(Path file) {
        try (TensorSource src = open(file)) {
            Map<String, HostTensor> out = new HashMap<>();
            for (String n : src.names()) {
                out.put(n, src.get(n));
            }
            return out;
        }
    }
}
