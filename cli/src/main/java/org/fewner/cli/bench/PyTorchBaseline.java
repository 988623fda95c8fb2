package org.fewner.cli.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.bench.EncoderBenchmark;

/**
 * {@code fewner bench encoder --pytorch}: {@code llm/bench/encoder_pytorch.py --serve} beside the
 * JVM (same machine, same model, same thread count), asked for each cell right after FewNER has
 * timed it, so that both see the same moment's load; then the FewNER / PyTorch ratios.
 */
final class PyTorchBaseline implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;
    private final List<String> command;

    /** The script's first line: torch version, BLAS, threads, reference check. */
    final JsonNode info;

    /** The cells measured so far, in order. */
    final List<JsonNode> cells = new ArrayList<>();

    private PyTorchBaseline(Process process, List<String> command) throws IOException {
        this.process = process;
        this.command = command;
        this.out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in =
                new PrintWriter(
                        new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
                        true);
        this.info = next();
    }

    /**
     * Starts {@code encoder_pytorch.py --serve} on the command's model with its settings and
     * libtorch's thread count; it loads the model and checks it against the numpy reference.
     */
    static PyTorchBaseline start(EncoderBenchCommand cmd) {
        if (!Files.isRegularFile(cmd.pytorchScript)) {
            throw new FewNerException(
                    cmd.pytorchScript
                            + ": no such script (run from the repository root or give"
                            + " --pytorch-script)");
        }
        List<String> command =
                List.of(
                        cmd.python,
                        cmd.pytorchScript.toString(),
                        "--serve",
                        "--model",
                        cmd.modelOption.directory().toString(),
                        "--threads",
                        String.valueOf(JniUtils.getNumThreads()),
                        "--repeats",
                        String.valueOf(cmd.repeats),
                        "--min-seconds",
                        String.valueOf(cmd.minSeconds),
                        "--gemm-seconds",
                        String.valueOf(cmd.gemmSeconds));
        System.err.println("bench: " + String.join(" ", command));
        try {
            Process p =
                    new ProcessBuilder(command)
                            .redirectError(ProcessBuilder.Redirect.INHERIT)
                            .start();
            return new PyTorchBaseline(p, command);
        } catch (IOException e) {
            throw new FewNerException(cmd.python + ": " + e.getMessage(), e);
        }
    }

    private JsonNode next() throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("{")) return Json.MAPPER.readTree(line);
        }
        int rc;
        try {
            rc = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rc = -1;
        }
        throw new FewNerException(
                String.join(" ", command)
                        + ": ended (exit "
                        + rc
                        + "); needs Debian's python3-torch and libopenblas0-pthread");
    }

    /** Times one cell in PyTorch now (right after the same cell in FewNER). */
    JsonNode cell(int batch, int length) {
        in.println(batch + " " + length);
        try {
            JsonNode n = next();
            cells.add(n);
            return n;
        } catch (IOException e) {
            throw new FewNerException(String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /** PyTorch's GEMM peak and peak RSS. */
    JsonNode peak() {
        in.println("peak");
        try {
            return next();
        } catch (IOException e) {
            throw new FewNerException(String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        in.close();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }

    /** The FewNER / PyTorch table, and the same figures into {@code root}. */
    String compare(
            ObjectNode root, List<EncoderBenchmark.Cell> javaCells, double peak, JsonNode py) {
        ObjectNode pyRoot = Json.MAPPER.createObjectNode();
        pyRoot.setAll((ObjectNode) info);
        pyRoot.setAll((ObjectNode) py);
        double pyPeak = py.get("gemm_peak_gflops").asDouble();
        ArrayNode pc = pyRoot.putArray("cells");
        for (JsonNode c : cells) {
            ((ObjectNode) c).put("ratio_median", c.get("gflops_median").asDouble() / pyPeak);
            ((ObjectNode) c).put("ratio_best", c.get("gflops_best").asDouble() / pyPeak);
            pc.add(c);
        }
        root.set("pytorch", pyRoot);
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nPyTorch %s eager (BLAS %s, %d threads, OMP_WAIT_POLICY=%s), each cell right after "
                                + "FewNER's: GEMM peak %.1f GFLOP/s (FewNER's run: %.1f), peak RSS %.0f MiB, "
                                + "max |torch - numpy reference| %.1e; load %s%n%n"
                                + "| B | T | FewNER tokens/s median (best) | PyTorch tokens/s median (best) "
                                + "| FewNER / PyTorch median (best) | same, each over its GEMM peak |%n"
                                + "|---|---|---|---|---|---|%n",
                        info.get("torch").asText(),
                        info.path("blas_loaded").asText(),
                        info.get("threads").asInt(),
                        info.get("OMP_WAIT_POLICY").asText(),
                        pyPeak,
                        peak,
                        py.get("peak_rss_mib").asDouble(),
                        info.get("check_vs_reference_max_abs").asDouble(),
                        EncoderBenchCommand.loadAverage()));
        ArrayNode ratios = root.putArray("ratios_vs_pytorch");
        for (int i = 0; i < javaCells.size() && i < cells.size(); i++) {
            EncoderBenchmark.Cell c = javaCells.get(i);
            JsonNode p = cells.get(i);
            double med = c.tokensPerSecondMedian() / p.get("tokens_per_s_median").asDouble();
            double best = c.tokensPerSecondBest() / p.get("tokens_per_s_best").asDouble();
            double norm = (c.gflopsMedian() / peak) / (p.get("gflops_median").asDouble() / pyPeak);
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
                            p.get("tokens_per_s_median").asDouble(),
                            p.get("tokens_per_s_best").asDouble(),
                            med,
                            best,
                            norm));
        }
        return md.toString();
    }
}
