package org.fewner.cli.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.bench.EncoderBenchmark;

/**
 * {@code fewner bench encoder --pytorch}: runs {@code llm/bench/encoder_pytorch.py} on the same
 * cells right after the Java cells (same machine, same model, same thread count) and puts the
 * FewNER / PyTorch ratios beside them.
 */
final class PyTorchBaseline {
    private PyTorchBaseline() {}

    static String compare(
            EncoderBenchCommand cmd,
            ObjectNode root,
            List<EncoderBenchmark.Cell> cells,
            double peak) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory("fewner-pytorch");
        } catch (IOException e) {
            throw new FewNerException("cannot create a temporary folder: " + e.getMessage(), e);
        }
        if (!Files.isRegularFile(cmd.pytorchScript)) {
            throw new FewNerException(
                    cmd.pytorchScript
                            + ": no such script (run from the repository root or give"
                            + " --pytorch-script)");
        }
        List<String> command =
                new ArrayList<>(
                        List.of(
                                cmd.python,
                                cmd.pytorchScript.toString(),
                                "--model",
                                cmd.modelOption.directory().toString(),
                                "--out",
                                tmp.toString(),
                                "--threads",
                                String.valueOf(JniUtils.getNumThreads()),
                                "--batches",
                                join(cmd.batches),
                                "--lengths",
                                join(cmd.lengths),
                                "--repeats",
                                String.valueOf(cmd.repeats),
                                "--min-seconds",
                                String.valueOf(cmd.minSeconds),
                                "--gemm-seconds",
                                String.valueOf(cmd.gemmSeconds)));
        System.err.println("bench: " + String.join(" ", command));
        JsonNode py;
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new FewNerException(
                        String.join(" ", command)
                                + ": exit "
                                + rc
                                + " (needs Debian's python3-torch and libopenblas0-pthread)");
            }
            Path json;
            try (var files = Files.list(tmp)) {
                json =
                        files.filter(f -> f.getFileName().toString().endsWith(".json"))
                                .findFirst()
                                .orElseThrow(
                                        () ->
                                                new FewNerException(
                                                        tmp + ": the script wrote no JSON"));
            }
            py = Json.MAPPER.readTree(json.toFile());
        } catch (IOException e) {
            throw new FewNerException(cmd.python + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FewNerException("interrupted", e);
        }
        root.set("pytorch", py);
        double pyPeak = py.get("gemm_peak_gflops").asDouble();
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nPyTorch %s eager (%s, %d threads, OMP_WAIT_POLICY=%s), same cells right after: "
                                + "GEMM peak %.1f GFLOP/s (FewNER's run: %.1f), peak RSS %.0f MiB, "
                                + "max |torch - numpy reference| %.1e; load %s%n%n"
                                + "| B | T | FewNER tokens/s median (best) | PyTorch tokens/s median (best) "
                                + "| FewNER / PyTorch median (best) | same, each over its GEMM peak |%n"
                                + "|---|---|---|---|---|---|%n",
                        py.get("torch").asText(),
                        py.path("blas_loaded").asText(py.path("blas").asText()),
                        py.get("threads").asInt(),
                        py.get("OMP_WAIT_POLICY").asText(),
                        pyPeak,
                        peak,
                        py.get("peak_rss_mib").asDouble(),
                        py.get("check_vs_reference_max_abs").asDouble(),
                        EncoderBenchCommand.loadAverage()));
        ArrayNode ratios = root.putArray("ratios_vs_pytorch");
        for (EncoderBenchmark.Cell c : cells) {
            JsonNode pc = null;
            for (JsonNode n : py.get("cells")) {
                if (n.get("batch").asInt() == c.batch() && n.get("length").asInt() == c.length()) {
                    pc = n;
                }
            }
            if (pc == null) continue;
            double med = c.tokensPerSecondMedian() / pc.get("tokens_per_s_median").asDouble();
            double best = c.tokensPerSecondBest() / pc.get("tokens_per_s_best").asDouble();
            double norm = (c.gflopsMedian() / peak) / pc.get("ratio_median").asDouble();
            ratios.addObject()
                    .put("batch", c.batch())
                    .put("length", c.length())
                    .put("ratio_median", med)
                    .put("ratio_best", best)
                    .put("ratio_median_peak_normalised", norm);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %d | %.0f (%.0f) | %.0f (%.0f) | %.2f (%.2f) | %.2f |%n",
                            c.batch(),
                            c.length(),
                            c.tokensPerSecondMedian(),
                            c.tokensPerSecondBest(),
                            pc.get("tokens_per_s_median").asDouble(),
                            pc.get("tokens_per_s_best").asDouble(),
                            med,
                            best,
                            norm));
        }
        return md.toString();
    }

    private static String join(int[] values) {
        return Arrays.stream(values).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }
}
