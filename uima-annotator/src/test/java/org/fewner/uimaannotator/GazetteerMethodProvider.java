package org.fewner.uimaannotator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;

/**
 * A test method: finds the support set's mention strings again (longest match first), confidence
 * 0.9 (0.4 for one-word matches). Option {@code overlap=true} adds a mention over every found one
 * and its next word (confidence 0.5) to test the engine's overlap removal.
 */
public final class GazetteerMethodProvider implements FewShotMethodProvider {
    public static final String NAME = "test-gazetteer";

    @Override
    public Set<String> names() {
        return Set.of(NAME);
    }

    @Override
    public FewShotMethod create(
            String name, SharedModel model, String adapter, Map<String, String> options) {
        boolean overlap = Boolean.parseBoolean(options.getOrDefault("overlap", "false"));
        return new FewShotMethod() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public Recognizer adapt(SupportSet support, long seed) {
                Map<List<String>, String> dict = new HashMap<>();
                int longest = 0;
                for (LabeledSentence s : support.sentences()) {
                    for (Mention m : s.mentions()) {
                        dict.put(s.sentence().words().subList(m.start(), m.end()), m.label());
                        longest = Math.max(longest, m.end() - m.start());
                    }
                }
                int max = longest;
                return sentences -> {
                    List<List<ScoredMention>> out = new ArrayList<>();
                    for (WordSentence s : sentences) {
                        List<ScoredMention> ms = new ArrayList<>();
                        int i = 0;
                        while (i < s.size()) {
                            int found = 0;
                            for (int n = Math.min(max, s.size() - i); n > 0 && found == 0; n--) {
                                String label = dict.get(s.words().subList(i, i + n));
                                if (label != null) {
                                    ms.add(
                                            new ScoredMention(
                                                    new Mention(i, i + n, label),
                                                    n > 1 ? 0.9 : 0.4));
                                    if (overlap && i + n < s.size()) {
                                        ms.add(
                                                new ScoredMention(
                                                        new Mention(i, i + n + 1, label), 0.5));
                                    }
                                    found = n;
                                }
                            }
                            i += Math.max(found, 1);
                        }
                        out.add(ms);
                    }
                    return out;
                };
            }

            @Override
            public void close() {}
        };
    }
}
