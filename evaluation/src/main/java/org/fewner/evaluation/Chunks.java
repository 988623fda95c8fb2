package org.fewner.evaluation;

import java.util.ArrayList;
import java.util.List;
import org.fewner.ner.Mention;
import org.fewner.readers.Chunk;
import org.fewner.readers.TagDecoder;
import org.fewner.readers.TagScheme;

/**
 * Entity mentions from a sentence's labels, by {@code ../shared/datasets/README.md}'s rule (the
 * readers' {@link TagDecoder}): BIO-family labels (IOB1 and IOB2) by the conlleval rule, IO labels
 * as maximal runs of one label.
 */
public final class Chunks {
    private Chunks() {}

    /**
     * The mentions of {@code labels} under {@code scheme} ({@link TagScheme#BIO} or {@link
     * TagScheme#IO}).
     *
     * @throws TagDecoder.TagException for a label the scheme does not allow
     */
    public static List<Mention> of(List<String> labels, TagScheme scheme)
            throws TagDecoder.TagException {
        List<Mention> out = new ArrayList<>();
        for (Chunk c : TagDecoder.decode(labels, scheme, false)) {
            out.add(new Mention(c.start(), c.end(), c.type()));
        }
        return out;
    }
}
