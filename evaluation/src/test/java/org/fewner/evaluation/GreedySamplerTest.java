package org.fewner.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.WordSentence;
import org.junit.jupiter.api.Test;

class GreedySamplerTest {
    static LabeledSentence s(String... labels) {
        List<Mention> m = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) m.add(new Mention(i, i + 1, labels[i]));
        List<String> words = new ArrayList<>();
        for (int i = 0; i < Math.max(1, labels.length); i++) words.add("w");
        return new LabeledSentence(new WordSentence("s", words), m);
    }

    @Test
    void everyTypeGetsAtLeastKAndAtMost2K() {
        List<LabeledSentence> data = new ArrayList<>();
        for (int i = 0; i < 30; i++) data.add(s("A"));
        for (int i = 0; i < 30; i++) data.add(s("B", "B", "A"));
        for (int i = 0; i < 10; i++) data.add(s());
        for (long seed = 0; seed < 20; seed++) {
            List<Integer> ids = GreedySampler.sample(data, List.of("A", "B"), 2, seed, "f");
            Map<String, Integer> n = new HashMap<>();
            for (int i : ids)
                for (Mention m : data.get(i).mentions()) n.merge(m.label(), 1, Integer::sum);
            assertTrue(n.get("A") >= 2 && n.get("A") <= 4, n.toString());
            assertTrue(n.get("B") >= 2 && n.get("B") <= 4, n.toString());
            for (int i : ids) assertTrue(i < 60, "a sentence without entity was sampled");
            assertEquals(ids, GreedySampler.sample(data, List.of("A", "B"), 2, seed, "f"));
        }
    }

    @Test
    void aTypeThatCannotReachKIsAnErrorNamingIt() {
        List<LabeledSentence> data = List.of(s("A"), s("A"), s("B"));
        var e =
                assertThrows(
                        FewNerException.class,
                        () -> GreedySampler.sample(data, List.of("A", "B"), 2, 1, "train.txt"));
        assertEquals(
                "train.txt: cannot sample 2 entities of type(s) [B (1)] with at most 4 of any type per sample (Few-NERD's greedy rule)",
                e.getMessage());
    }
}
