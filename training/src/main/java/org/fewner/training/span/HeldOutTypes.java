package org.fewner.training.span;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fewner.common.FewNerException;
import org.fewner.ner.Mention;
import org.fewner.training.data.TrainingExample;

/**
 * The held-out-types variant: leaves out every source sentence that carries a type overlapping one
 * of the target's coarse types (for Few-NERD INTRA: location and organization). Sentences are left
 * out whole, never relabelled {@code O}: relabelling would teach the detector that these names are
 * not entities.
 */
public final class HeldOutTypes {
    private HeldOutTypes() {}

    /**
     * Source type names (lower-cased) overlapping each Few-NERD coarse type. location: LOC,
     * CrossNER location and country, GUM place. organization: ORG, CrossNER organisation,
     * politicalparty, university, band (Few-NERD's organization-showorganization), magazine (its
     * organization-media/newspaper), GUM organization.
     */
    static final Map<String, Set<String>> OVERLAPS =
            Map.of(
                    "location", Set.of("loc", "location", "country", "place", "gpe"),
                    "organization",
                            Set.of(
                                    "org",
                                    "organisation",
                                    "organization",
                                    "politicalparty",
                                    "university",
                                    "band",
                                    "magazine"),
                    "person",
                            Set.of(
                                    "per",
                                    "person",
                                    "writer",
                                    "politician",
                                    "scientist",
                                    "researcher",
                                    "musicalartist"));

    /** The kept examples and how many were left out. */
    public record Filtered(List<TrainingExample> kept, int leftOut) {}

    public static Filtered filter(List<TrainingExample> examples, List<String> coarse) {
        java.util.HashSet<String> banned = new java.util.HashSet<>();
        for (String c : coarse) {
            Set<String> s = OVERLAPS.get(c.toLowerCase(Locale.ROOT).trim());
            if (s == null) {
                throw new FewNerException(
                        "--held-out-types: unknown coarse type '"
                                + c
                                + "' (expected one of "
                                + new java.util.TreeSet<>(OVERLAPS.keySet())
                                + ")");
            }
            banned.addAll(s);
        }
        List<TrainingExample> kept = new ArrayList<>();
        int out = 0;
        for (TrainingExample ex : examples) {
            boolean bad = false;
            for (Mention m : ex.mentions()) {
                if (banned.contains(m.label().toLowerCase(Locale.ROOT))) {
                    bad = true;
                    break;
                }
            }
            if (bad) {
                out++;
            } else {
                kept.add(ex);
            }
        }
        return new Filtered(kept, out);
    }
}
