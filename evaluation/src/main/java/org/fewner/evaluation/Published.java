package org.fewner.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Published BERT-base figures to print beside ours, copied from {@code ../shared/docs/papers.md}
 * (section 3.2, Few-NERD "arXiv V6" episodes, micro-F1 mean ± std over runs, from the
 * microsoft/vert-papers DecomposedMetaNER README at commit 4aab882). All of these methods were
 * trained on Few-NERD's train split, which FewNER does not have. papers.md has no verified number
 * for the cross-dataset (section 4.1) or K-shot (section 5) settings, so none is printed for them.
 */
public final class Published {
    private Published() {}

    /**
     * One published cell.
     *
     * @param model the method
     * @param f1 micro-F1 in percent
     * @param std its standard deviation over runs
     * @param source where papers.md read it
     * @param trainedOnFewNerdTrain whether the method was trained on Few-NERD's train split
     */
    public record Row(
            String model, double f1, double std, String source, boolean trainedOnFewNerdTrain) {}

    private static final String SRC_FEWNERD =
            "papers.md 3.2 (Few-NERD arXiv v6 via vert-papers DecomposedMetaNER README, 4aab882)";
    private static final String SRC_VERT =
            "papers.md 3.2 (vert-papers DecomposedMetaNER README, 4aab882)";

    private static final Map<String, List<Row>> ROWS = new LinkedHashMap<>();

    static {
        // key: split-N-K; values in the order 5-1, 5-5, 10-1, 10-5 per model (papers.md 3.2)
        put("intra", "ProtoBERT", SRC_FEWNERD, 20.76, 0.84, 42.54, 0.94, 15.05, 0.44, 35.40, 0.13);
        put("intra", "StructShot", SRC_FEWNERD, 30.21, 0.90, 38.00, 1.29, 21.03, 1.13, 26.42, 0.60);
        put("intra", "ESD", SRC_VERT, 36.08, 1.60, 52.14, 1.50, 30.00, 0.70, 42.15, 2.60);
        put(
                "intra",
                "DecomposedMetaNER",
                SRC_VERT,
                49.48,
                0.85,
                62.92,
                0.57,
                42.84,
                0.46,
                57.31,
                0.25);
        put("inter", "ProtoBERT", SRC_FEWNERD, 38.83, 1.49, 58.79, 0.44, 32.45, 0.79, 52.92, 0.37);
        put("inter", "StructShot", SRC_FEWNERD, 51.88, 0.69, 57.32, 0.63, 43.34, 0.10, 49.57, 3.08);
        put("inter", "ESD", SRC_VERT, 59.29, 1.25, 69.06, 0.80, 52.16, 0.79, 64.00, 0.43);
        put(
                "inter",
                "DecomposedMetaNER",
                SRC_VERT,
                64.75,
                0.35,
                71.49,
                0.47,
                58.65,
                0.43,
                68.11,
                0.05);
    }

    private static void put(String split, String model, String source, double... v) {
        String[] keys = {"-5-1", "-5-5", "-10-1", "-10-5"};
        for (int i = 0; i < 4; i++) {
            ROWS.computeIfAbsent(split + keys[i], k -> new ArrayList<>())
                    .add(new Row(model, v[2 * i], v[2 * i + 1], source, true));
        }
    }

    /** The published rows for a protocol's {@link Protocol#key()}; empty when none is verified. */
    public static List<Row> rows(String key) {
        return ROWS.getOrDefault(key, List.of());
    }

    /** Why a setting has no published row, for reports. */
    public static String noneNote(String protocol) {
        return switch (protocol) {
            case "crossdomain" ->
                    "papers.md section 4.1 has no verified published number for this"
                            + " setting (every cell there is 'unverified'), so none is shown.";
            case "kshot" ->
                    "papers.md section 5 has no verified K-shot number (CLLMFS's tables are"
                            + " unverified), so none is shown.";
            default -> "no published row for this setting in papers.md.";
        };
    }
}
