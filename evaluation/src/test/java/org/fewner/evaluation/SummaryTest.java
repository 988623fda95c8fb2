package org.fewner.evaluation;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fewner.common.FewNerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The summary table: one row per method variant, model and adapter; no run silently hidden. */
class SummaryTest {
    static void result(Path dir, String adapter, double f1) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("results.json"),
                "{\"setting_key\": \"intra-5-1\", \"variant\": \"span\", \"aggregation\": \"pooled\","
                        + " \"config\": {\"model\": \"default-uncased\", \"adapter\": "
                        + (adapter == null ? "null" : "\"" + adapter + "\"")
                        + "}, \"micro\": {\"f1\": "
                        + f1
                        + "}, \"episodes\": {\"f1_std\": 1.0}, \"command\": \"./fewner eval x\"}");
    }

    @Test
    void aRunWithAnAdapterGetsItsOwnRow(@TempDir Path tmp) throws Exception {
        result(tmp.resolve("runs/a"), null, 39.17);
        result(tmp.resolve("runs/a-heldout"), "results/adapters/default-uncased-heldout", 29.82);
        Path md = tmp.resolve("summary.md");
        Summary.write(List.of(tmp.resolve("runs")), md, tmp.resolve("summary.png"));
        String s = Files.readString(md);
        assertTrue(s.contains("| span (default-uncased) | [39.17]"), s);
        assertTrue(
                s.contains("| span (default-uncased) + adapter default-uncased-heldout | [29.82]"),
                s);
    }

    @Test
    void twoRunsOfOneRowAndSettingAreAnErrorNamingBoth(@TempDir Path tmp) throws Exception {
        result(tmp.resolve("runs/a"), null, 39.17);
        result(tmp.resolve("runs/b"), null, 40.00);
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                Summary.write(
                                        List.of(tmp.resolve("runs")),
                                        tmp.resolve("summary.md"),
                                        tmp.resolve("summary.png")));
        assertTrue(
                e.getMessage().contains(tmp.resolve("runs/a/results.json").toString())
                        && e.getMessage().contains(tmp.resolve("runs/b/results.json").toString()),
                e.getMessage());
    }
}
