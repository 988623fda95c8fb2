package org.fewner.training.span;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.fewner.common.FewNerException;
import org.fewner.ner.span.FeatureSource;

/**
 * Cached word vectors of a frozen backbone, one entry per distinct sentence (keyed by its words
 * joined with single spaces), several layers each, stored as bfloat16 (the upper 16 bits of the
 * float: 8 bits of mantissa, ample for features of frozen heads' inputs and half the memory).
 *
 * <p>File layout (big-endian, {@link DataOutputStream}): magic {@code FNFS1}, layer count, the
 * layers, hidden size, sentence count; then per sentence its word count, each word (modified
 * UTF-8), and {@code layers × words × hidden} shorts. Written to a temporary sibling and renamed.
 */
public final class FeatureStore {
    private static final String MAGIC = "FNFS1";

    private final int[] layers;
    private final int hidden;
    private final Map<String, short[][]> byKey = new LinkedHashMap<>();
    private final Map<String, List<String>> words = new LinkedHashMap<>();

    public FeatureStore(int[] layers, int hidden) {
        this.layers = layers.clone();
        this.hidden = hidden;
    }

    public int[] layers() {
        return layers.clone();
    }

    public int hidden() {
        return hidden;
    }

    public int size() {
        return byKey.size();
    }

    public static String key(List<String> words) {
        return String.join(" ", words);
    }

    public boolean contains(List<String> w) {
        return byKey.containsKey(key(w));
    }

    /** Adds one sentence's vectors ({@code [layers][words * hidden]} floats). */
    public void put(List<String> w, float[][] perLayer) {
        short[][] s = new short[layers.length][];
        for (int l = 0; l < layers.length; l++) {
            float[] f = perLayer[l];
            short[] b = new short[f.length];
            for (int i = 0; i < f.length; i++) {
                b[i] = toBf16(f[i]);
            }
            s[l] = b;
        }
        String k = key(w);
        byKey.put(k, s);
        words.put(k, List.copyOf(w));
    }

    /** The position of {@code layer} among the stored layers. */
    public int layerIndex(int layer) {
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] == layer) {
                return i;
            }
        }
        throw new FewNerException(
                "feature store: layer "
                        + layer
                        + " is not cached (cached: "
                        + java.util.Arrays.toString(layers)
                        + ")");
    }

    /** The vectors of one sentence at one stored layer as floats {@code [words * hidden]}. */
    public float[] get(List<String> w, int layer) {
        short[][] s = byKey.get(key(w));
        if (s == null) {
            throw new FewNerException(
                    "feature store: sentence not cached: " + FewNerException.quote(key(w)));
        }
        short[] b = s[layerIndex(layer)];
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            f[i] = fromBf16(b[i]);
        }
        return f;
    }

    /** Round to nearest even bfloat16. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7f800000) == 0x7f800000) {
            return (short) (bits >>> 16);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    static float fromBf16(short s) {
        return Float.intBitsToFloat((s & 0xffff) << 16);
    }

    public void write(Path file) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (DataOutputStream o =
                    new DataOutputStream(
                            new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20))) {
                o.writeUTF(MAGIC);
                o.writeInt(layers.length);
                for (int l : layers) {
                    o.writeInt(l);
                }
                o.writeInt(hidden);
                o.writeInt(byKey.size());
                for (Map.Entry<String, short[][]> e : byKey.entrySet()) {
                    List<String> w = words.get(e.getKey());
                    o.writeInt(w.size());
                    for (String s : w) {
                        o.writeUTF(s);
                    }
                    for (short[] layer : e.getValue()) {
                        for (short v : layer) {
                            o.writeShort(v);
                        }
                    }
                }
            }
            Files.move(
                    tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot write the feature cache: " + e, e);
        }
    }

    public static FeatureStore read(Path file) {
        return read(file, k -> true);
    }

    /**
     * Reads only the sentences whose {@link #key} {@code keep} accepts (the others are skipped
     * unread), e.g. a sample of a large cache.
     */
    public static FeatureStore read(Path file, java.util.function.Predicate<String> keep) {
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            if (!MAGIC.equals(in.readUTF())) {
                throw new FewNerException(
                        file + ": not a FewNER feature cache (magic " + MAGIC + ")");
            }
            int nl = in.readInt();
            int[] layers = new int[nl];
            for (int i = 0; i < nl; i++) {
                layers[i] = in.readInt();
            }
            int hidden = in.readInt();
            int n = in.readInt();
            FeatureStore fs = new FeatureStore(layers, hidden);
            byte[] buf = new byte[0];
            for (int s = 0; s < n; s++) {
                int nw = in.readInt();
                List<String> w = new ArrayList<>(nw);
                for (int i = 0; i < nw; i++) {
                    w.add(in.readUTF());
                }
                String k = key(w);
                if (!keep.test(k)) {
                    in.skipNBytes((long) nl * nw * hidden * 2);
                    continue;
                }
                short[][] v = new short[nl][nw * hidden];
                for (int l = 0; l < nl; l++) {
                    int bytes = nw * hidden * 2;
                    if (buf.length < bytes) {
                        buf = new byte[bytes];
                    }
                    in.readFully(buf, 0, bytes);
                    java.nio.ByteBuffer.wrap(buf, 0, bytes).asShortBuffer().get(v[l]);
                }
                fs.byKey.put(k, v);
                fs.words.put(k, List.copyOf(w));
            }
            return fs;
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read the feature cache: " + e, e);
        }
    }

    /** Adds every entry of {@code other} (which holds at least this store's layers). */
    public void addAll(FeatureStore other) {
        if (hidden != other.hidden) {
            throw new IllegalArgumentException("feature stores of different hidden size");
        }
        int[] pick = new int[layers.length];
        for (int i = 0; i < layers.length; i++) {
            pick[i] = other.layerIndex(layers[i]);
        }
        for (Map.Entry<String, short[][]> e : other.byKey.entrySet()) {
            short[][] v = new short[layers.length][];
            for (int i = 0; i < layers.length; i++) {
                v[i] = e.getValue()[pick[i]];
            }
            byKey.put(e.getKey(), v);
            words.put(e.getKey(), other.words.get(e.getKey()));
        }
    }

    /** Encodes sentences in chunks of 256, shortest first (progress bar), into {@code store}. */
    public static void encodeInto(
            FeatureSource wf, List<List<String>> sentences, FeatureStore store) {
        // Sort by length so each chunk's batches are dense; 256 sentences per chunk.
        List<List<String>> sorted = new ArrayList<>(sentences);
        sorted.sort(Comparator.comparingInt(List::size));
        try (ProgressBar pb =
                new ProgressBarBuilder()
                        .setTaskName("encode")
                        .setInitialMax(sorted.size())
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(5000)
                        .build()) {
            for (int i = 0; i < sorted.size(); i += 256) {
                List<List<String>> chunk = sorted.subList(i, Math.min(sorted.size(), i + 256));
                float[][][] f = wf.features(chunk);
                for (int k = 0; k < chunk.size(); k++) {
                    store.put(chunk.get(k), f[k]);
                }
                pb.stepBy(chunk.size());
            }
        }
    }
}
