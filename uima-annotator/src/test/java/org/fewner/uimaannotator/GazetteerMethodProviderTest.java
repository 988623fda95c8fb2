package org.fewner.uimaannotator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;
import org.junit.jupiter.api.Test;

/** The test method's overlap resolution (moved here with it from the engine). */
class GazetteerMethodProviderTest {
    @Test
    void nonOverlappingKeepsTheMostConfident() {
        List<ScoredMention> in =
                List.of(
                        new ScoredMention(new Mention(0, 2, "A"), 0.5),
                        new ScoredMention(new Mention(1, 3, "B"), 0.8),
                        new ScoredMention(new Mention(3, 4, "C"), 0.1),
                        new ScoredMention(new Mention(4, 6, "D"), 0.9));
        List<ScoredMention> out = GazetteerMethodProvider.nonOverlapping(in, 5);
        assertEquals(List.of(in.get(1), in.get(2)), out); // D ends after the 5 words
    }
}
