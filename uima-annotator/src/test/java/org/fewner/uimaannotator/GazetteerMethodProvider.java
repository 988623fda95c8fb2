package org.fewner.uimaannotator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;

/**
 * A test method in the registry ({@code FewShotMethods}, this module's test services file): finds
 * the support set's mention strings again (longest match first), confidence 0.9 (0.4 for one-word
 * matches). Option {@code overlap=true} also proposes a mention over every found one and its next
 * word (confidence 0.5), resolved as the recogniser's contract asks ({@link #nonOverlapping}: the
 * most confident of overlapping mentions).
 */
public final class GazetteerMethodProvider implements FewShotMethods.Provider {
    public static final String NAME = "test-gazetteer";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "test: finds the support set's mentions again";
    }

    @Override
    public FewShotMethod create(MethodOptions options) {
        boolean overlap = Boolean.parseBoolean(options.get("overlap", "false"));
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
                        out.add(nonOverlapping(ms, s.size()));
                    }
                    return out;
                };
            }

            @Override
            public void close() {}
        };
    }

    /**
     * The mentions that fit the sentence, without overlaps: the most confident of overlapping
     * mentions is kept (ties: the earlier one); result in word order.
     */
    static List<ScoredMention> nonOverlapping(List<ScoredMention> mentions, int words) {
        List<ScoredMention> sorted = new ArrayList<>();
        for (ScoredMention m : mentions) {
            if (m.mention().end() <= words) sorted.add(m);
        }
        sorted.sort(
                Comparator.comparingDouble(ScoredMention::confidence)
                        .reversed()
                        .thenComparingInt(m -> m.mention().start()));
        List<ScoredMention> kept = new ArrayList<>();
        for (ScoredMention m : sorted) {
            boolean free = true;
            for (ScoredMention k : kept) {
                free &=
                        m.mention().end() <= k.mention().start()
                                || k.mention().end() <= m.mention().start();
            }
            if (free) kept.add(m);
        }
        kept.sort(Comparator.comparingInt(m -> m.mention().start()));
        return kept;
    }
}
