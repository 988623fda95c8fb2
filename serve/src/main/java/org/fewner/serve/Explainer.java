package org.fewner.serve;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Score explanations: the support mentions of the predicted label nearest to the predicted text.
 * "Nearest" is by surface form (character-bigram Dice similarity of the lower-cased texts), not by
 * the model's embedding: the engine does not expose which support vectors it matched.
 */
public final class Explainer {
    private static final int SHOWN = 3;

    private final Map<String, List<String>> examples = new LinkedHashMap<>();

    public Explainer(Collection<SupportDocument> documents) {
        Map<String, Set<String>> seen = new LinkedHashMap<>();
        for (SupportDocument d : documents) {
            for (SupportSentence s : d.sentences()) {
                for (SupportSentence.Mention m : s.mentions()) {
                    if (seen.computeIfAbsent(m.label(), k -> new HashSet<>()).add(s.text(m))) {
                        examples.computeIfAbsent(m.label(), k -> new ArrayList<>()).add(s.text(m));
                    }
                }
            }
        }
    }

    /** The number of support mentions (distinct texts) of {@code label}. */
    public int count(String label) {
        return examples.getOrDefault(label, List.of()).size();
    }

    /** The explanation of a prediction of {@code label} over {@code text} with {@code score}. */
    public String explain(String label, String text, double score) {
        List<String> candidates = examples.getOrDefault(label, List.of());
        String q = norm(text);
        List<String> nearest = new ArrayList<>(candidates);
        nearest.sort(
                Comparator.comparingDouble((String c) -> -dice(q, norm(c)))
                        .thenComparing(Comparator.naturalOrder()));
        StringBuilder b =
                new StringBuilder(String.format(Locale.ROOT, "%s, confidence %.3f", label, score));
        if (!nearest.isEmpty()) {
            b.append("; nearest ").append(label).append(" support examples (surface form): ");
            for (int i = 0; i < Math.min(SHOWN, nearest.size()); i++) {
                if (i > 0) {
                    b.append(", ");
                }
                b.append('"').append(nearest.get(i)).append('"');
            }
            b.append(" (of ").append(candidates.size()).append(')');
        }
        return b.toString();
    }

    private static String norm(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    }

    static double dice(String a, String b) {
        if (a.equals(b)) {
            return 1;
        }
        if (a.length() < 2 || b.length() < 2) {
            return 0;
        }
        Map<String, Integer> grams = new LinkedHashMap<>();
        for (int i = 0; i + 2 <= a.length(); i++) {
            grams.merge(a.substring(i, i + 2), 1, Integer::sum);
        }
        int common = 0;
        for (int i = 0; i + 2 <= b.length(); i++) {
            Integer n = grams.get(b.substring(i, i + 2));
            if (n != null && n > 0) {
                common++;
                grams.put(b.substring(i, i + 2), n - 1);
            }
        }
        return 2.0 * common / (a.length() - 1 + b.length() - 1);
    }
}
