package org.fewner.readers;

import java.util.ArrayList;
import java.util.List;
import org.fewner.common.FewNerException;

/**
 * Turns a sentence's labels into entity chunks. Pure functions, shared by the readers and {@code
 * fewner stats}.
 *
 * <p>BIO family (IOB1 and IOB2), by the conlleval rule: a chunk starts at {@code B-X}, or at {@code
 * I-X} when the previous token is {@code O}, of another type, or absent; it continues over {@code
 * I-X} of the same type. With {@code strict} set, an {@code I-X} that would start a chunk is an
 * error (strict IOB2). IO: a chunk is a maximal run of the same non-{@code O} label.
 */
public final class TagDecoder {
    private TagDecoder() {}

    /** Bad label at a token; the caller adds file and line. */
    public static final class TagException extends Exception {
        private final int token;

        public TagException(int token, String message) {
            super(message);
            this.token = token;
        }

        /** 0-based index of the offending token in its sentence. */
        public int token() {
            return token;
        }
    }

    /**
     * True if {@code label} is a BIO-prefixed tag ({@code B-…} or {@code I-…}); decides the scheme
     * of a file.
     */
    public static boolean isBioPrefixed(String label) {
        return label.startsWith("B-") || label.startsWith("I-");
    }

    /**
     * The scheme of a file whose labels are {@code labels}: BIO if any starts with B-/I-, else IO.
     */
    public static TagScheme detect(Iterable<String> labels) {
        for (String label : labels) if (isBioPrefixed(label)) return TagScheme.BIO;
        return TagScheme.IO;
    }

    /**
     * Chunks of one sentence's labels under {@code scheme} ({@link TagScheme#BIO} or {@link
     * TagScheme#IO}).
     */
    public static List<Chunk> decode(List<String> labels, TagScheme scheme, boolean strict)
            throws TagException {
        switch (scheme) {
            case BIO:
                return decodeBio(labels, strict);
            case IO:
                return decodeIo(labels);
            default:
                throw new IllegalArgumentException("decode needs BIO or IO, not " + scheme);
        }
    }

    /**
     * BIO/IOB1/IOB2 chunks by the conlleval rule; labels must be {@code O}, {@code B-X} or {@code
     * I-X}.
     */
    public static List<Chunk> decodeBio(List<String> labels, boolean strict) throws TagException {
        List<Chunk> chunks = new ArrayList<>();
        int start = -1;
        String type = null;
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i);
            if (label.equals("O")) {
                if (type != null) chunks.add(new Chunk(start, i, type));
                type = null;
                continue;
            }
            if (label.length() < 2 || !isBioPrefixed(label)) {
                throw new TagException(
                        i,
                        "unknown tag "
                                + FewNerException.quote(label)
                                + ": expected O, B-TYPE or I-TYPE");
            }
            String t = label.substring(2);
            if (t.isEmpty() || !t.strip().equals(t)) {
                throw new TagException(
                        i,
                        "tag "
                                + FewNerException.quote(label)
                                + " has an empty or space-padded type: expected O, B-TYPE or I-TYPE");
            }
            boolean continues = label.charAt(0) == 'I' && t.equals(type);
            if (!continues) {
                if (strict && label.charAt(0) == 'I') {
                    throw new TagException(
                            i,
                            FewNerException.quote(label)
                                    + " follows "
                                    + (i == 0
                                            ? "the sentence start"
                                            : "'" + labels.get(i - 1) + "'")
                                    + ": strict IOB2 expects B-"
                                    + t
                                    + " to start an entity");
                }
                if (type != null) chunks.add(new Chunk(start, i, type));
                start = i;
                type = t;
            }
        }
        if (type != null) chunks.add(new Chunk(start, labels.size(), type));
        return chunks;
    }

    /**
     * IO chunks: maximal runs of the same non-{@code O} label. A label that looks like a one-letter
     * prefixed tag ({@code X-PER}, {@code E-LOC}, {@code S-ORG}) is rejected: IO labels are bare
     * type names.
     */
    public static List<Chunk> decodeIo(List<String> labels) throws TagException {
        List<Chunk> chunks = new ArrayList<>();
        int start = -1;
        String type = null;
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i);
            if (label.equals("O")) {
                if (type != null) chunks.add(new Chunk(start, i, type));
                type = null;
                continue;
            }
            if (label.isEmpty() || !label.strip().equals(label)) {
                throw new TagException(
                        i,
                        "empty or space-padded label "
                                + FewNerException.quote(label)
                                + ": expected O or a type name");
            }
            if (label.length() >= 2
                    && label.charAt(1) == '-'
                    && Character.isLetter(label.charAt(0))) {
                throw new TagException(
                        i,
                        "label '"
                                + label
                                + "' has a tag prefix, but the file is IO-tagged (no B-/I- label): "
                                + "expected O or a bare type name");
            }
            if (!label.equals(type)) {
                if (type != null) chunks.add(new Chunk(start, i, type));
                start = i;
                type = label;
            }
        }
        if (type != null) chunks.add(new Chunk(start, labels.size(), type));
        return chunks;
    }

    /**
     * BIO (IOB2) labels for {@code n} tokens carrying {@code chunks} (non-overlapping, any order).
     */
    public static List<String> encodeBio(int n, List<Chunk> chunks) {
        List<String> labels = new ArrayList<>(java.util.Collections.nCopies(n, "O"));
        for (Chunk c : chunks) {
            if (c.end() > n)
                throw new IllegalArgumentException("chunk " + c + " beyond " + n + " tokens");
            for (int i = c.start(); i < c.end(); i++) {
                if (!labels.get(i).equals("O"))
                    throw new IllegalArgumentException(
                            "chunk " + c + " overlaps another at token " + i);
                labels.set(i, (i == c.start() ? "B-" : "I-") + c.type());
            }
        }
        return labels;
    }
}
