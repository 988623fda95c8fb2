package org.fewner.cli.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.fewner.cli.options.ModelOption;
import org.fewner.cli.options.OptionChecks;
import org.fewner.cli.options.Range;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.bench.EncoderBenchmark;
import org.fewner.llm.bench.GemmPeak;
import org.fewner.llm.bench.OpProfile;
import org.fewner.llm.bench.ProcessStats;
import org.fewner.llm.bert.BertModel;
import org.fewner.llm.model.Backbone;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Encoder throughput per (batch, length) cell against this machine's fp32 GEMM peak measured in the
 * same run; writes JSON and a Markdown table.
 */
@Command(
        name = "encoder",
        mixinStandardHelpOptions = true,
        description = {
            "Encoder throughput against this machine's GEMM peak (measured in the same run).",
            "For each batch x length: tokens/s, model GFLOP/s (encoder matmuls incl. attention), the ratio to the "
                    + "fp32 GEMM peak, and the process's peak RSS. Timings on a shared machine swing: see median and best."
        })
public final class EncoderBenchCommand implements Runnable {
    @Mixin ModelOption modelOption;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Write encoder-bench.json and encoder-bench.md here.")
    Path out;

    @Option(
            names = "--batches",
            split = ",",
            defaultValue = "1,8,32",
            description = "Batch sizes. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int[] batches;

    @Option(
            names = "--lengths",
            split = ",",
            defaultValue = "32,128",
            description = "Sequence lengths. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int[] lengths;

    @Option(
            names = "--repeats",
            defaultValue = "5",
            description = "Minimum timed forwards per cell. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int repeats;

    @Option(
            names = "--min-seconds",
            defaultValue = "3",
            description = "Minimum timed seconds per cell. Default: ${DEFAULT-VALUE}.")
    @Range(min = 0)
    double minSeconds;

    @Option(
            names = "--gemm-seconds",
            defaultValue = "1",
            description = "Seconds per GEMM shape. Default: ${DEFAULT-VALUE}.")
    @Range(min = 0, minExclusive = true)
    double gemmSeconds;

    @Option(
            names = "--threads",
            description = "libtorch intra-op threads (JniUtils.setNumThreads); default: DJL's.")
    @Range(min = 1)
    Integer threads;

    @Option(
            names = "--profile",
            split = ",",
            paramLabel = "BxT",
            description = "Also profile per libtorch operator at these cells, e.g. 1x32,32x128.")
    List<String> profile = new ArrayList<>();

    @Override
    public void run() {
        OptionChecks.positive("--batches", batches);
        OptionChecks.positive("--lengths", lengths);
        OptionChecks.positive("--repeats", repeats);
        OptionChecks.nonNegative("--min-seconds", minSeconds);
        OptionChecks.positive("--gemm-seconds", gemmSeconds);
        if (threads != null) {
            OptionChecks.positive("--threads", threads);
        }
        List<int[]> profileCells = new ArrayList<>();
        for (String cellSpec : profile) {
            String[] bt = cellSpec.toLowerCase(Locale.ROOT).split("x");
            try {
                if (bt.length != 2) {
                    throw new NumberFormatException();
                }
                profileCells.add(
                        new int[] {
                            OptionChecks.positive("--profile", Integer.parseInt(bt[0].trim())),
                            OptionChecks.positive("--profile", Integer.parseInt(bt[1].trim()))
                        });
            } catch (NumberFormatException e) {
                throw new FewNerException(
                        "--profile "
                                + FewNerException.quote(cellSpec)
                                + ": expected BxT, e.g. 1x32",
                        e);
            }
        }
        ObjectMapper json = Json.MAPPER;
        ObjectNode root = json.createObjectNode();
        StringBuilder md = new StringBuilder();
        try (Backbone backbone = modelOption.load()) {
            if (!(backbone instanceof BertModel model)) {
                throw new FewNerException(
                        "bench encoder needs a BERT model; "
                                + modelOption.spec()
                                + " is "
                                + backbone.config().modelType());
            }
            Engine.getEngine(
                    "PyTorch"); // loaded with the model; the thread setting below needs the native
            // library
            int maxLength = model.config().maxPositionEmbeddings();
            for (int t : lengths) {
                if (t > maxLength) {
                    throw new FewNerException(
                            "--lengths: "
                                    + t
                                    + " is longer than the model's max_position_embeddings "
                                    + maxLength);
                }
            }
            for (int[] cell : profileCells) {
                if (cell[1] > maxLength) {
                    throw new FewNerException(
                            "--profile: length "
                                    + cell[1]
                                    + " is longer than the model's max_position_embeddings "
                                    + maxLength);
                }
            }
            if (threads != null) {
                JniUtils.setNumThreads(threads);
            }
            root.put("date", Instant.now().toString());
            root.put("model", modelOption.spec());
            root.put("layers", model.config().numHiddenLayers());
            root.put("hidden", model.config().hiddenSize());
            root.put("intra_op_threads", JniUtils.getNumThreads());
            root.put("inter_op_threads", JniUtils.getNumInteropThreads());
            root.put("available_processors", Runtime.getRuntime().availableProcessors());
            root.put("OMP_WAIT_POLICY", String.valueOf(System.getenv("OMP_WAIT_POLICY")));
            root.put("OMP_NUM_THREADS", String.valueOf(System.getenv("OMP_NUM_THREADS")));
            root.put(
                    "flops_counted",
                    "encoder matmuls only: per layer 2*B*T*(4*H^2 + 2*H*I) + 4*B*T^2*H; "
                            + "no embeddings, norms, softmax, activations or MLM head");
            root.put("rss_after_load_mib", ProcessStats.rssMiB());
            root.put("peak_rss_after_load_mib", ProcessStats.peakRssMiB());
            System.err.printf(
                    Locale.ROOT,
                    "bench: RSS after load %.0f MiB, peak so far %.0f MiB%n",
                    ProcessStats.rssMiB(),
                    ProcessStats.peakRssMiB());

            List<EncoderBenchmark.Cell> cells = new ArrayList<>();
            for (int b : batches) {
                for (int t : lengths) {
                    EncoderBenchmark.Cell c =
                            EncoderBenchmark.cell(model, b, t, repeats, minSeconds, gemmSeconds);
                    cells.add(c);
                    System.err.printf(
                            Locale.ROOT,
                            "bench: %dx%d median %.4f s best %.4f s (%d runs), %.1f GFLOP/s median, "
                                    + "peak RSS %.0f MiB%n",
                            b,
                            t,
                            c.medianSeconds(),
                            c.bestSeconds(),
                            c.seconds().length,
                            c.gflopsMedian(),
                            ProcessStats.peakRssMiB());
                }
            }
            List<GemmPeak.Result> peakShapes;
            try (NDManager m = model.manager().newSubManager()) {
                peakShapes =
                        List.of(
                                GemmPeak.measure(m, 4096, 768, 3072, gemmSeconds * 2, 3),
                                GemmPeak.measure(m, 4096, 3072, 768, gemmSeconds * 2, 3),
                                GemmPeak.measure(m, 1024, 1024, 1024, gemmSeconds * 2, 3));
            }
            double peak = GemmPeak.best(peakShapes);
            for (EncoderBenchmark.Cell c : cells) {
                peak = Math.max(peak, c.layerGemmBest());
            }
            root.put("gemm_peak_gflops", peak);
            ArrayNode ps = root.putArray("gemm_peak_shapes");
            for (GemmPeak.Result r : peakShapes) {
                ps.addObject()
                        .put("shape", r.shape())
                        .put("best_gflops", r.bestGflops())
                        .put("median_gflops", r.medianGflops())
                        .put("calls", r.calls());
            }
            ArrayNode arr = root.putArray("cells");
            md.append(
                    "| B | T | runs | tokens/s median (best) | GFLOP/s median (best) | layer GEMMs best GFLOP/s | "
                            + "ratio to GEMM peak median (best) |\n|---|---|---|---|---|---|---|\n");
            for (EncoderBenchmark.Cell c : cells) {
                ObjectNode n = arr.addObject();
                n.put("batch", c.batch())
                        .put("length", c.length())
                        .put("runs", c.seconds().length)
                        .put("median_s", c.medianSeconds())
                        .put("best_s", c.bestSeconds())
                        .put("tokens_per_s_median", c.tokensPerSecondMedian())
                        .put("tokens_per_s_best", c.tokensPerSecondBest())
                        .put("gflop", c.flops() / 1e9)
                        .put("gflops_median", c.gflopsMedian())
                        .put("gflops_best", c.gflopsBest())
                        .put("layer_gemm_best_gflops", c.layerGemmBest())
                        .put("ratio_median", c.gflopsMedian() / peak)
                        .put("ratio_best", c.gflopsBest() / peak);
                ArrayNode g = n.putArray("layer_gemms");
                for (GemmPeak.Result r : c.layerGemms()) {
                    g.addObject()
                            .put("shape", r.shape())
                            .put("best_gflops", r.bestGflops())
                            .put("median_gflops", r.medianGflops());
                }
                md.append(
                        String.format(
                                Locale.ROOT,
                                "| %d | %d | %d | %.0f (%.0f) | %.1f (%.1f) | %.1f | %.2f (%.2f) |%n",
                                c.batch(),
                                c.length(),
                                c.seconds().length,
                                c.tokensPerSecondMedian(),
                                c.tokensPerSecondBest(),
                                c.gflopsMedian(),
                                c.gflopsBest(),
                                c.layerGemmBest(),
                                c.gflopsMedian() / peak,
                                c.gflopsBest() / peak));
            }
            for (int[] cell : profileCells) {
                int b = cell[0];
                int t = cell[1];
                Path trace = Files.createTempFile("fewner-profile", ".json");
                int forwards = b * t >= 2048 ? 1 : 10;
                OpProfile.Profile p = OpProfile.run(model, b, t, forwards, trace);
                Files.deleteIfExists(trace);
                ObjectNode pn = root.putObject("profile_" + b + "x" + t);
                pn.put("forwards", forwards)
                        .put("wall_ms_per_forward", p.wallMs() / forwards)
                        .put("op_ms_per_forward", p.opMs() / forwards);
                ArrayNode ops = pn.putArray("ops");
                md.append(
                        String.format(
                                Locale.ROOT,
                                "%nProfile %dx%d (libtorch profiler, %d forwards): wall %.2f ms/forward, "
                                        + "libtorch ops %.2f ms/forward, Java+JNI+profiler %.2f ms/forward%n%n| op | calls/forward | self ms/forward | share |%n|---|---|---|---|%n",
                                b,
                                t,
                                forwards,
                                p.wallMs() / forwards,
                                p.opMs() / forwards,
                                (p.wallMs() - p.opMs()) / forwards));
                OpProfile.appendOps(md, ops, p, "forward", 14);
            }
            double hwm = ProcessStats.peakRssMiB();
            root.put("peak_rss_mib", hwm);
            String header =
                    String.format(
                            Locale.ROOT,
                            "Model %s (%d layers, H %d), intra-op threads %d, inter-op %d, "
                                    + "OMP_WAIT_POLICY=%s; fp32 GEMM peak %.1f GFLOP/s (best over the shapes measured in this run); "
                                    + "peak RSS %.0f MiB%n%n",
                            modelOption.spec(),
                            model.config().numHiddenLayers(),
                            model.config().hiddenSize(),
                            JniUtils.getNumThreads(),
                            JniUtils.getNumInteropThreads(),
                            System.getenv("OMP_WAIT_POLICY"),
                            peak,
                            hwm);
            md.insert(0, header);
            System.out.println(md);
            if (out != null) {
                AtomicFiles.writeString(out.resolve("encoder-bench.md"), md.toString());
                Json.writeAtomically(out.resolve("encoder-bench.json"), root);
                System.err.println(
                        "bench: wrote "
                                + out.resolve("encoder-bench.json")
                                + " and encoder-bench.md");
            }
        } catch (IOException e) {
            throw new FewNerException(out + ": cannot write results: " + e.getMessage(), e);
        }
    }
}
