package org.fewner.training.data;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the collector kept and what it left out, with the policy applied to each case. Nothing is
 * left out without being counted here.
 */
public final class ExampleReport {
    /** Sentences read. */
    public long sentencesRead;

    /** Sentences kept as examples. */
    public long sentencesKept;

    /** Policy: a sentence with more words than the limit is skipped whole (counted here). */
    public long sentencesTooLong;

    /** Policy: a sentence without any token is skipped (counted here). */
    public long sentencesEmpty;

    /** Entities kept. */
    public long entitiesKept;

    /**
     * Policy: an entity without a value (null/empty label) or whose label is not in the allowed
     * list is dropped from its sentence (the sentence stays; counted here by label).
     */
    public final Map<String, Long> unknownLabels = new TreeMap<>();

    /**
     * Policy: of overlapping entities the one starting first (longest on a tie) is kept; each
     * dropped one is counted here.
     */
    public long overlappingDropped;

    /** Policy: an entity whose offsets cover no token of its sentence is dropped (counted). */
    public long entitiesOutsideTokens;

    /** Entities kept per qualified type ({@code corpus:type}). */
    public final Map<String, Long> types = new TreeMap<>();

    public void add(ExampleReport o) {
        sentencesRead += o.sentencesRead;
        sentencesKept += o.sentencesKept;
        sentencesTooLong += o.sentencesTooLong;
        sentencesEmpty += o.sentencesEmpty;
        entitiesKept += o.entitiesKept;
        overlappingDropped += o.overlappingDropped;
        entitiesOutsideTokens += o.entitiesOutsideTokens;
        o.unknownLabels.forEach((k, v) -> unknownLabels.merge(k, v, Long::sum));
        o.types.forEach((k, v) -> types.merge(k, v, Long::sum));
    }

    /** One line for logs. */
    public String summary() {
        long unknown = unknownLabels.values().stream().mapToLong(Long::longValue).sum();
        return String.format(
                "%d sentences read, %d kept (%d entities, %d types); skipped: %d longer than the"
                        + " limit, %d empty; entities dropped: %d overlapping, %d unknown label, %d"
                        + " outside tokens",
                sentencesRead,
                sentencesKept,
                entitiesKept,
                types.size(),
                sentencesTooLong,
                sentencesEmpty,
                overlappingDropped,
                unknown,
                entitiesOutsideTokens);
    }
}
