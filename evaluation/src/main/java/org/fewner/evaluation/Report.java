package org.fewner.evaluation;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** Writes a run's {@code report.md} and its F1 plot ({@code f1.png}, JFreeChart). */
public final class Report {
    private Report() {}

    static final String FEWNERD_NOTE =
            "**Different, harder setting.** FewNER has no Few-NERD train split: every Few-NERD figure"
                    + " of ours is obtained without any training on Few-NERD data (at most with a"
                    + " source adapter trained on other corpora), while every published row below was"
                    + " trained on Few-NERD's train split. The comparison shows where we stand, not a"
                    + " like-for-like result.";

    /** Writes report.md and f1.png into {@code dir}. */
    @SuppressWarnings("unchecked")
    public static void write(Path dir, Map<String, Object> r, Tally tally) {
        StringBuilder b = new StringBuilder();
        String setting = (String) r.get("setting");
        String variant = (String) r.get("variant");
        Map<String, Object> micro = (Map<String, Object>) r.get("micro");
        Map<String, Object> episodes = (Map<String, Object>) r.get("episodes");
        b.append("# ").append(setting).append(": ").append(variant).append("\n\n");
        b.append("Command: `").append(r.get("command")).append("`\n\n");
        if ("fewnerd".equals(r.get("protocol"))) {
            b.append(FEWNERD_NOTE).append("\n\n");
        }
        b.append("Aggregation: ")
                .append(
                        "pooled".equals(r.get("aggregation"))
                                ? "TP/FP/FN summed over all query sentences of all "
                                        + r.get("tasks")
                                        + " task(s) (Few-NERD's rule)"
                                : "mean over the "
                                        + r.get("tasks")
                                        + " support samples of each sample's micro figures")
                .append(".\n\n");
        b.append("| | precision | recall | F1 |\n|---|---:|---:|---:|\n");
        b.append("| **")
                .append(variant)
                .append(" (ours)** | ")
                .append(fmt(micro.get("precision")))
                .append(" | ")
                .append(fmt(micro.get("recall")))
                .append(" | **")
                .append(fmt(micro.get("f1")))
                .append("** |\n");
        List<Map<String, Object>> pub = (List<Map<String, Object>>) r.get("published");
        for (Map<String, Object> p : pub) {
            b.append("| ")
                    .append(p.get("model"))
                    .append(
                            Boolean.TRUE.equals(p.get("trained_on_fewnerd_train"))
                                    ? " (trained on Few-NERD train)"
                                    : "")
                    .append(" | | | ")
                    .append(fmt(p.get("f1")))
                    .append(" ± ")
                    .append(fmt(p.get("std")))
                    .append(" |\n");
        }
        b.append("\n");
        if (pub.isEmpty()) {
            b.append(Published.noneNote((String) r.get("protocol"))).append("\n\n");
        } else {
            b.append("Published rows: ").append(pub.get(0).get("source")).append(".\n\n");
        }
        b.append("Per-task F1: mean ")
                .append(fmt(episodes.get("f1_mean")))
                .append(", sample std ")
                .append(fmt(episodes.get("f1_std")))
                .append(" over ")
                .append(episodes.get("n"))
                .append(" task(s). Pooled: ")
                .append(fmtMap((Map<String, Object>) r.get("pooled")))
                .append(".\n\n");
        b.append(
                "## Per type (pooled)\n\n| type | precision | recall | F1 | tp | fp | fn |\n|---|---:|---:|---:|---:|---:|---:|\n");
        ((Map<String, Object>) r.get("per_type"))
                .forEach(
                        (t, v) -> {
                            Map<String, Object> m = (Map<String, Object>) v;
                            b.append("| ")
                                    .append(t)
                                    .append(" | ")
                                    .append(fmt(m.get("precision")))
                                    .append(" | ")
                                    .append(fmt(m.get("recall")))
                                    .append(" | ")
                                    .append(fmt(m.get("f1")))
                                    .append(" | ")
                                    .append(m.get("tp"))
                                    .append(" | ")
                                    .append(m.get("fp"))
                                    .append(" | ")
                                    .append(m.get("fn"))
                                    .append(" |\n");
                        });
        b.append("\nElapsed ")
                .append(fmt(r.get("elapsed_seconds")))
                .append(" s, ")
                .append(fmt(r.get("episodes_per_minute")))
                .append(" tasks/min, ")
                .append(fmt(r.get("query_sentences_per_second")))
                .append(" query sentences/s. Source training: ")
                .append(r.get("source_training"))
                .append(". Software: ")
                .append(r.get("software"))
                .append(".\n");
        AtomicFiles.writeString(dir.resolve("report.md"), b.toString());
        plot(
                dir.resolve("f1.png"),
                setting,
                variant,
                ((Number) micro.get("f1")).doubleValue(),
                pub);
    }

    /** Bar chart: our F1 beside the published rows of the setting. */
    static void plot(
            Path png, String setting, String ours, double f1, List<Map<String, Object>> pub) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        data.addValue(f1, "F1", ours + " (ours)");
        for (Map<String, Object> p : pub) {
            data.addValue(((Number) p.get("f1")).doubleValue(), "F1", p.get("model") + "*");
        }
        JFreeChart chart =
                ChartFactory.createBarChart(
                        setting
                                + ": micro-F1 (%)"
                                + (pub.isEmpty() ? "" : "; * trained on Few-NERD train"),
                        null,
                        "F1 (%)",
                        data,
                        PlotOrientation.HORIZONTAL,
                        false,
                        false,
                        false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().getRangeAxis().setRange(0, 100);
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(bytes, chart, 720, 120 + 40 * (1 + pub.size()));
            AtomicFiles.writeBytes(png, bytes.toByteArray());
        } catch (IOException e) {
            throw new FewNerException(png + ": cannot write the plot: " + e.getMessage(), e);
        }
    }

    static String fmt(Object v) {
        if (v instanceof Number n) return String.format(Locale.ROOT, "%.2f", n.doubleValue());
        return String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    private static String fmtMap(Map<String, Object> m) {
        return "P "
                + fmt(m.get("precision"))
                + ", R "
                + fmt(m.get("recall"))
                + ", F1 "
                + fmt(m.get("f1"))
                + " (tp "
                + m.get("tp")
                + ", fp "
                + m.get("fp")
                + ", fn "
                + m.get("fn")
                + ")";
    }
}
