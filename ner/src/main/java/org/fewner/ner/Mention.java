package org.fewner.ner;

import java.util.Objects;

/**
 * An entity mention over the words of one sentence: words {@code [start, end)} carry {@code label}.
 *
 * @param start first word, 0-based
 * @param end one past the last word ({@code end > start})
 * @param label the entity type as the user named it (e.g. {@code person}, {@code location-city})
 */
public record Mention(int start, int end, String label) {
    public Mention {
        Objects.requireNonNull(label, "label");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException(
                    "mention [" + start + ", " + end + ") is empty or negative");
        }
    }
}
