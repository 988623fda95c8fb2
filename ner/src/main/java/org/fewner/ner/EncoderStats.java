package org.fewner.ner;

/**
 * What an encoder did since it was made.
 *
 * @param requested sentences asked for
 * @param cacheHits of those, served from the cache (or repeated within one call)
 * @param encoded distinct sentences run through the model
 * @param windowed of those, sentences longer than the model's limit, encoded in overlapping windows
 * @param windows forward rows used by the windowed sentences
 * @param tokens word-pieces run through the model (special tokens included, padding excluded)
 * @param forwardSeconds wall time inside the model's forward passes
 */
public record EncoderStats(
        long requested,
        long cacheHits,
        long encoded,
        long windowed,
        long windows,
        long tokens,
        double forwardSeconds) {
    public static final EncoderStats NONE = new EncoderStats(0, 0, 0, 0, 0, 0, 0);
}
