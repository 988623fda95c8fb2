package org.fewner.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.junit.jupiter.api.Test;

class OpenNlpMethodTest {
    static WordSentence w(String text) {
        return new WordSentence(text, List.of(text.split(" ")));
    }

    @Test
    void learnsFromTheSupportSetAndFindsTheSameNamesAgain() {
        List<LabeledSentence> support = new ArrayList<>();
        for (String name : List.of("ann", "bob", "carl", "dora")) {
            support.add(
                    new LabeledSentence(
                            w(name + " lives in rome ."),
                            List.of(new Mention(0, 1, "person"), new Mention(3, 4, "city"))));
        }
        try (FewShotMethod m = new OpenNlpMethod(1, 100)) {
            var r = m.adapt(new SupportSet(List.of("person", "city"), support), 0);
            List<List<ScoredMention>> out =
                    r.recognize(List.of(w("bob lives in rome ."), w("nothing here")));
            List<Mention> found = out.get(0).stream().map(ScoredMention::mention).toList();
            assertEquals(List.of(new Mention(0, 1, "person"), new Mention(3, 4, "city")), found);
            for (ScoredMention s : out.get(0))
                assertTrue(s.confidence() > 0 && s.confidence() <= 1);
            // the same input gives the same output (no adaptive state left between sentences)
            assertEquals(out, r.recognize(List.of(w("bob lives in rome ."), w("nothing here"))));
        }
    }
}
