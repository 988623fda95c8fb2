package org.fewner.readers;

/** An entity found in a sentence's labels: tokens {@code [start, end)} of type {@code type}. */
public record Chunk(int start, int end, String type) {
    public Chunk {
        if (start < 0 || end <= start)
            throw new IllegalArgumentException("bad chunk [" + start + ", " + end + ")");
    }
}
