package org.fewner.readers;

import java.util.Locale;

/**
 * How labels mark entities. IOB1 and IOB2 (BIO) are decoded by the same conlleval rule, so they
 * share {@link #BIO}.
 */
public enum TagScheme {
    /** {@code O}, {@code B-X}, {@code I-X}: IOB1 or IOB2, chunked by the conlleval rule. */
    BIO,
    /** {@code O} or a bare type name; a chunk is a run of equal labels. */
    IO,
    /**
     * Decide per file: IO if no label other than {@code O} starts with {@code B-} or {@code I-},
     * else BIO.
     */
    AUTO;

    /**
     * Parses a parameter value: {@code auto}, {@code io}, or one of {@code bio}, {@code iob},
     * {@code iob1}, {@code iob2}.
     */
    public static TagScheme parse(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "auto":
                return AUTO;
            case "io":
                return IO;
            case "bio":
            case "iob":
            case "iob1":
            case "iob2":
                return BIO;
            default:
                throw new org.fewner.common.FewNerException(
                        "unknown tag scheme "
                                + org.fewner.common.FewNerException.quote(name)
                                + "; expected auto, io, bio, iob1 or iob2");
        }
    }
}
