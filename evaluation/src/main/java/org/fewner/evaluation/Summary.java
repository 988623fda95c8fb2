package org.fewner.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * One table (and one grouped bar plot) over many runs: a row per method variant, a column per
 * setting, each cell linked to its run's report (which names the command), with the published
 * Few-NERD rows beside. Built from the runs' {@code results.json} files only.
 */
public final class Summary {
    private Summary() {}

    /** Column order of the README table; other settings follow in key order. */
    static final List<String> COLUMNS =
            List.of(
                    "inter-5-1",
                    "inter-5-5",
                    "intra-5-1",
                    "intra-5-5",
                    "conll-1",
                    "conll-5",
                    "gum-1",
                    "gum-5",
                    "wnut-1",
                    "wnut-5",
                    "conll2003-k5",
                    "wnut17-k5",
                    "bc5cdr-k5");

    static final Map<String, String> TITLES =
            Map.ofEntries(
                    Map.entry("inter-5-1", "Few-NERD INTER 5-way 1~2"),
                    Map.entry("inter-5-5", "INTER 5-way 5~10"),
                    Map.entry("intra-5-1", "INTRA 5-way 1~2"),
                    Map.entry("intra-5-5", "INTRA 5-way 5~10"),
                    Map.entry("conll-1", "CoNLL 1-shot"),
                    Map.entry("conll-5", "CoNLL 5-shot"),
                    Map.entry("gum-1", "GUM 1-shot"),
                    Map.entry("gum-5", "GUM 5-shot"),
                    Map.entry("wnut-1", "WNUT 1-shot"),
                    Map.entry("wnut-5", "WNUT 5-shot"),
                    Map.entry("conll2003-k5", "CoNLL-2003 K=5"),
                    Map.entry("wnut17-k5", "WNUT-17 K=5"),
                    Map.entry("bc5cdr-k5", "BC5CDR K=5"));

    /** A finished run's figure, or (progress != null) a run still going. */
    record Cell(
            double f1, double std, boolean spread, Path results, String command, String progress) {}

    /** The setting key of a setting as results.json words it ({@code INTRA 5-way 5~10-shot}). */
    static String keyOf(String setting) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(INTER|INTRA) (\\d+)-way (\\d+)~\\d+-shot")
                        .matcher(setting);
        if (m.matches()) {
            return m.group(1).toLowerCase(Locale.ROOT) + "-" + m.group(2) + "-" + m.group(3);
        }
        m = java.util.regex.Pattern.compile("(\\w+) (\\d+)-shot").matcher(setting);
        if (m.matches()) return m.group(1).toLowerCase(Locale.ROOT) + "-" + m.group(2);
        m = java.util.regex.Pattern.compile("(\\S+) K=(\\d+)").matcher(setting);
        if (m.matches()) return m.group(1) + "-k" + m.group(2);
        return setting;
    }

    /**
     * A table row: the method variant, its model, and the source-trained adapter's folder name when
     * the run had one ({@code span (default-uncased) + adapter default-uncased-heldout}).
     */
    static String rowName(String variant, JsonNode config) {
        String model = config.path("model").asText("");
        String adapter = config.path("adapter").asText("");
        return variant
                + (model.isEmpty() || model.equals("null") ? "" : " (" + model + ")")
                + (adapter.isEmpty() || adapter.equals("null")
                        ? ""
                        : " + adapter " + Path.of(adapter).getFileName());
    }

    /**
     * Runs that have a checkpoint but no results yet: one cell per variant saying how far they are.
     */
    private static void running(
            Path checkpoint, Map<String, Map<String, Cell>> rows, java.util.Set<String> keys) {
        JsonNode c = Json.readTree(checkpoint);
        JsonNode config;
        try {
            config = Json.MAPPER.readTree(c.path("config").asText());
        } catch (IOException e) {
            return;
        }
        Path dir = checkpoint.getParent();
        List<String> variants = new ArrayList<>();
        c.path("bytes").fieldNames().forEachRemaining(variants::add);
        for (String v : variants) {
            String layer = v.replaceAll(".*-layer", "");
            Path vdir = v.contains("-layer") ? dir.resolve("layer-" + layer) : dir;
            if (Files.exists(vdir.resolve("results.json"))) continue;
            String row = rowName(v, config);
            String key = keyOf(config.path("setting").asText());
            JsonNode details = config.path("protocol_details");
            String total =
                    details.has("episodes")
                            ? details.path("episodes").asText()
                            : details.has("samples") ? "10" : "1";
            rows.computeIfAbsent(row, k -> new TreeMap<>())
                    .put(
                            key,
                            new Cell(
                                    0,
                                    0,
                                    false,
                                    vdir.resolve("predictions.jsonl"),
                                    "",
                                    "running: "
                                            + c.path("tasks_done").asInt()
                                            + "/"
                                            + total
                                            + " tasks"));
            keys.add(key);
        }
    }

    /**
     * Writes {@code markdown} (table, commands) and {@code png} (plot) from every results.json
     * under {@code roots}; links are relative to {@code markdown}'s folder.
     */
    public static String write(List<Path> roots, Path markdown, Path png) {
        Map<String, Map<String, Cell>> rows = new TreeMap<>();
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (Path root : roots) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path f :
                        s.filter(p -> p.getFileName().toString().equals("results.json"))
                                .sorted()
                                .toList()) {
                    JsonNode r = Json.readTree(f);
                    String key = r.path("setting_key").asText();
                    String row = rowName(r.path("variant").asText(), r.path("config"));
                    boolean spread = "mean_over_episodes".equals(r.path("aggregation").asText());
                    Cell earlier = rows.getOrDefault(row, Map.of()).get(key);
                    if (earlier != null) {
                        // two runs of one method variant on one setting: one table cell cannot
                        // show both, and silently keeping one would hide the other
                        throw new FewNerException(
                                f
                                        + " and "
                                        + earlier.results()
                                        + ": two runs of '"
                                        + row
                                        + "' on "
                                        + key
                                        + "; move one of them out of the summarised folders");
                    }
                    rows.computeIfAbsent(row, k -> new TreeMap<>())
                            .put(
                                    key,
                                    new Cell(
                                            r.path("micro").path("f1").asDouble(),
                                            spread
                                                    ? r.path("micro").path("f1_std").asDouble()
                                                    : r.path("episodes").path("f1_std").asDouble(),
                                            spread,
                                            f,
                                            r.path("command").asText(),
                                            null));
                    keys.add(key);
                }
            } catch (IOException e) {
                throw new FewNerException(root + ": cannot read: " + e.getMessage(), e);
            }
            try (Stream<Path> s = Files.walk(root)) {
                for (Path f :
                        s.filter(p -> p.getFileName().toString().equals("checkpoint.json"))
                                .sorted()
                                .toList()) {
                    running(f, rows, keys);
                }
            } catch (IOException e) {
                throw new FewNerException(root + ": cannot read: " + e.getMessage(), e);
            }
        }
        List<String> columns = new ArrayList<>();
        for (String c : COLUMNS) if (keys.contains(c)) columns.add(c);
        for (String k : keys) if (!columns.contains(k)) columns.add(k);
        Path base = markdown.toAbsolutePath().getParent();
        StringBuilder b = new StringBuilder();
        b.append("| method |");
        for (String c : columns) b.append(' ').append(TITLES.getOrDefault(c, c)).append(" |");
        b.append("\n|---|");
        b.append("---:|".repeat(columns.size()));
        b.append('\n');
        List<String> commands = new ArrayList<>();
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        if (!rows.isEmpty()) {
            // categories appear in the order first added: the table's column order
            String first = rows.keySet().iterator().next();
            for (String c : columns) data.addValue((Number) null, first, TITLES.getOrDefault(c, c));
        }
        for (var row : rows.entrySet()) {
            b.append("| ").append(row.getKey()).append(" |");
            for (String c : columns) {
                Cell cell = row.getValue().get(c);
                if (cell == null) {
                    b.append(" |");
                    continue;
                }
                if (cell.progress() != null) {
                    b.append(" (").append(cell.progress()).append(") |");
                    continue;
                }
                commands.add(cell.command());
                Path report = cell.results().toAbsolutePath().resolveSibling("report.md");
                b.append(" [")
                        .append(fmt(cell.f1()))
                        .append(cell.spread() ? " ± " + fmt(cell.std()) : "")
                        .append("](")
                        .append(base.relativize(report).toString().replace('\\', '/'))
                        .append(") <sup>c")
                        .append(commands.size())
                        .append("</sup> |");
                data.addValue(cell.f1(), row.getKey(), TITLES.getOrDefault(c, c));
            }
            b.append('\n');
        }
        Map<String, Map<String, Published.Row>> published = new LinkedHashMap<>();
        for (String c : columns) {
            for (Published.Row p : Published.rows(c)) {
                published.computeIfAbsent(p.model(), k -> new LinkedHashMap<>()).put(c, p);
            }
        }
        for (var p : published.entrySet()) {
            b.append("| ").append(p.getKey()).append(" (published; trained on Few-NERD train) |");
            for (String c : columns) {
                Published.Row r = p.getValue().get(c);
                b.append(r == null ? " – |" : " " + fmt(r.f1()) + " ± " + fmt(r.std()) + " |");
                if (r != null)
                    data.addValue(r.f1(), p.getKey() + " (published)", TITLES.getOrDefault(c, c));
            }
            b.append('\n');
        }
        b.append("\nCommands (cell superscripts):\n\n");
        for (int i = 0; i < commands.size(); i++) {
            b.append("- c").append(i + 1).append(": `").append(commands.get(i)).append("`\n");
        }
        AtomicFiles.writeString(markdown, b.toString());
        JFreeChart chart =
                ChartFactory.createBarChart(
                        "micro-F1 (%) per setting: ours beside published BERT-base rows",
                        null, "F1 (%)", data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().getRangeAxis().setRange(0, 100);
        chart.getCategoryPlot()
                .getDomainAxis()
                .setCategoryLabelPositions(org.jfree.chart.axis.CategoryLabelPositions.UP_45);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(bytes, chart, 1400, 700);
            AtomicFiles.writeBytes(png, bytes.toByteArray());
        } catch (IOException e) {
            throw new FewNerException(png + ": cannot write the plot: " + e.getMessage(), e);
        }
        return b.toString();
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
