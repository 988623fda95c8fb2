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
import org.fewner.ner.encode.BackboneWordEncoder;
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

    @Option(
            names = "--no-cells",
            description = "Skip the batch x length cells (and the GEMM peak).")
    boolean noCells;

    @Option(
            names = "--corpus",
            split = ",",
            paramLabel = "FILE",
            description = {
                "Workload files for --replay and --concurrency and the shape histogram: CoNLL-style "
                        + "(first column = word) or .txt (plain text, one document).",
                "Each is cut into the engine's encode calls (16 sentences of one document)."
            })
    List<Path> corpus = new ArrayList<>();

    @Option(
            names = "--max-sentences",
            defaultValue = "3000",
            description = "Sentences read per corpus file. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int maxSentences;

    @Option(
            names = "--replay",
            defaultValue = "0",
            description =
                    "Time this many encode calls per corpus file with the old batching rule "
                            + "(fill batchTokens) and the new one (cut where padding costs more "
                            + "than a forward), alternating, 2 rounds. Default: ${DEFAULT-VALUE}.")
    @Range(min = 0, note = "0 = no replay")
    int replay;

    @Option(
            names = "--concurrency",
            split = ",",
            paramLabel = "N",
            description =
                    "N caller threads x encode on one shared encoder, 1 libtorch thread per "
                            + "forward, same total work (the first --replay calls of the corpus with the most, "
                            + "or 48 if --replay is 0), against 1 thread; e.g. 1,2,4.")
    @Range(min = 1, max = 256)
    int[] concurrency = new int[0];

    @Option(
            names = "--pytorch",
            description =
                    "Run llm/bench/encoder_pytorch.py (Debian's python3-torch) on the same cells "
                            + "right after, and print the FewNER / PyTorch ratios.")
    boolean pytorch;

    @Option(
            names = "--python",
            defaultValue = "/usr/bin/python3",
            description = "Python for --pytorch. Default: ${DEFAULT-VALUE}.")
    String python;

    @Option(
            names = "--pytorch-script",
            defaultValue = "llm/bench/encoder_pytorch.py",
            description = "The PyTorch baseline script. Default: ${DEFAULT-VALUE}.")
    Path pytorchScript;

    /** The 1-, 5- and 15-minute load averages, or "?" where /proc/loadavg is absent. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    @Override
    public void run() {
        OptionChecks.positive("--batches", batches);
        OptionChecks.positive("--lengths", lengths);
        OptionChecks.positive("--repeats", repeats);
        OptionChecks.nonNegative("--min-seconds", minSeconds);
        OptionChecks.positive("--gemm-seconds", gemmSeconds);
        OptionChecks.positive("--max-sentences", maxSentences);
        OptionChecks.nonNegative("--replay", replay);
        if (concurrency.length > 0) {
            OptionChecks.positive("--concurrency", concurrency);
        }
        if (concurrency.length > 0 && corpus.isEmpty()) {
            throw new FewNerException(
                    "--concurrency needs --corpus FILE (the sentences to encode)");
        }
        if (pytorch && noCells) {
            throw new FewNerException("--pytorch compares the cells; drop --no-cells");
        }
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
            for (int t : noCells ? new int[0] : lengths) {
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

            root.put("load_average_start", loadAverage());
            double peak = 0;
            if (!noCells) {
                peak = cells(model, root, md);
            }
            workloads(model, root, md);
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
            root.put("load_average_end", loadAverage());
            String header =
                    String.format(
                            Locale.ROOT,
                            "Model %s (%d layers, H %d), intra-op threads %d, inter-op %d, "
                                    + "OMP_WAIT_POLICY=%s; fp32 GEMM peak %.1f GFLOP/s (best over the shapes measured in this run); "
                                    + "peak RSS %.0f MiB; load average %s at the start, %s at the end%n%n",
                            modelOption.spec(),
                            model.config().numHiddenLayers(),
                            model.config().hiddenSize(),
                            JniUtils.getNumThreads(),
                            JniUtils.getNumInteropThreads(),
                            System.getenv("OMP_WAIT_POLICY"),
                            peak,
                            hwm,
                            root.get("load_average_start").asText(),
                            root.get("load_average_end").asText());
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

    /** The batch x length cells and the GEMM peak; returns the peak. */
    private double cells(BertModel model, ObjectNode root, StringBuilder md) {
        try (PyTorchBaseline py = pytorch ? PyTorchBaseline.start(this) : null) {
            return cells(model, root, md, py);
        }
    }

    private double cells(BertModel model, ObjectNode root, StringBuilder md, PyTorchBaseline py) {
        List<EncoderBenchmark.Cell> cells = new ArrayList<>();
        for (int b : batches) {
            for (int t : lengths) {
                EncoderBenchmark.Cell c =
                        EncoderBenchmark.cell(model, b, t, repeats, minSeconds, gemmSeconds);
                cells.add(c);
                if (py != null) {
                    py.cell(b, t);
                }
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
        if (py != null) {
            md.append(py.compare(root, cells, peak, py.peak()));
        }
        return peak;
    }

    /** The shape histogram, --replay and --concurrency on the --corpus files. */
    private void workloads(BertModel model, ObjectNode root, StringBuilder md) {
        if (corpus.isEmpty()) return;
        int cores = Runtime.getRuntime().availableProcessors();
        BackboneWordEncoder.Options base =
                BackboneWordEncoder.Options.of(List.of(model.config().numHiddenLayers()))
                        .withCacheBytes(0);
        BackboneWordEncoder.Options oldRule = base.withForwardOverheadTokens(0);
        ArrayNode arr = root.putArray("workloads");
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nWorkloads: the engine's encode calls (%d sentences of one document per "
                                + "call), their forwards under the old rule (fill %d positions) and "
                                + "the new one (cut where the padding saved outweighs %d positions "
                                + "of forward overhead); word-pieces include [CLS]/[SEP]; load %s%n%n"
                                + "| corpus | sentences | calls | sentences/call | word-pieces/sentence p10 / p50 / p90 / max "
                                + "| rule | forwards | rows/forward p50 (max) | T p50 (max) | padding share |%n"
                                + "|---|---|---|---|---|---|---|---|---|---|%n",
                        EncoderWorkloads.ENGINE_BATCH,
                        base.batchTokens(),
                        base.forwardOverheadTokens(),
                        loadAverage()));
        List<List<List<String>>> concurrencyCalls = null;
        String concurrencyCorpus = null;
        StringBuilder replayMd = new StringBuilder();
        try (BackboneWordEncoder oldEnc = new BackboneWordEncoder(model, oldRule, false);
                BackboneWordEncoder newEnc = new BackboneWordEncoder(model, base, false)) {
            for (Path f : corpus) {
                EncoderWorkloads.Corpus c = EncoderWorkloads.read(f, maxSentences);
                ObjectNode w = arr.addObject();
                w.put("corpus", f.toString()).put("sentences", c.sentences());
                for (boolean cut : new boolean[] {false, true}) {
                    EncoderWorkloads.Shapes sh = EncoderWorkloads.shapes(c, cut ? newEnc : oldEnc);
                    int[] rows = sh.forwardShapes().stream().mapToInt(x -> x[0]).toArray();
                    int[] ts = sh.forwardShapes().stream().mapToInt(x -> x[1]).toArray();
                    int[] pps = sh.piecesPerSentence();
                    ObjectNode r = w.putObject(cut ? "new_rule" : "old_rule");
                    r.put("calls", sh.calls())
                            .put("forwards", sh.forwards())
                            .put("real_tokens", sh.realTokens())
                            .put("padded_positions", sh.paddedPositions())
                            .put("padding_share", sh.paddingShare())
                            .put(
                                    "rows_per_forward",
                                    EncoderWorkloads.histogram(
                                            rows, new int[] {1, 2, 4, 8, 15, 16}))
                            .put(
                                    "length_per_forward",
                                    EncoderWorkloads.histogram(
                                            ts, new int[] {16, 24, 32, 48, 64, 96, 128, 256}));
                    if (!cut) {
                        w.put(
                                        "sentences_per_call",
                                        EncoderWorkloads.histogram(
                                                sh.sentencesPerCall(),
                                                new int[] {1, 2, 4, 8, 15, 16}))
                                .put(
                                        "pieces_per_sentence",
                                        EncoderWorkloads.histogram(
                                                pps,
                                                new int[] {8, 16, 24, 32, 48, 64, 96, 128, 256}));
                    }
                    md.append(
                            String.format(
                                    Locale.ROOT,
                                    "| %s | %s | %s | %s | %s | %s | %d | %d (%d) | %d (%d) | %.1f%% |%n",
                                    cut ? "" : c.name(),
                                    cut ? "" : String.valueOf(c.sentences()),
                                    cut ? "" : String.valueOf(sh.calls()),
                                    cut
                                            ? ""
                                            : EncoderWorkloads.histogram(
                                                    sh.sentencesPerCall(),
                                                    new int[] {1, 4, 8, 15, 16}),
                                    cut
                                            ? ""
                                            : EncoderWorkloads.percentile(pps, 0.1)
                                                    + " / "
                                                    + EncoderWorkloads.percentile(pps, 0.5)
                                                    + " / "
                                                    + EncoderWorkloads.percentile(pps, 0.9)
                                                    + " / "
                                                    + EncoderWorkloads.percentile(pps, 1.0),
                                    cut ? "new" : "old",
                                    sh.forwards(),
                                    EncoderWorkloads.percentile(rows, 0.5),
                                    EncoderWorkloads.percentile(rows, 1.0),
                                    EncoderWorkloads.percentile(ts, 0.5),
                                    EncoderWorkloads.percentile(ts, 1.0),
                                    100 * sh.paddingShare()));
                    System.err.printf(
                            Locale.ROOT,
                            "bench: %s %s rule: rows/forward %s; T %s%n",
                            c.name(),
                            cut ? "new" : "old",
                            r.get("rows_per_forward").asText(),
                            r.get("length_per_forward").asText());
                }
                List<List<List<String>>> calls = c.calls(EncoderWorkloads.ENGINE_BATCH);
                // the corpus with the most engine calls feeds the concurrency runs
                int want = replay > 0 ? replay : 48;
                if (concurrencyCalls == null
                        || Math.min(calls.size(), want) > concurrencyCalls.size()) {
                    concurrencyCalls = calls.subList(0, Math.min(calls.size(), want));
                    concurrencyCorpus = c.name();
                }
                if (replay > 0) {
                    List<List<List<String>>> some =
                            calls.subList(0, Math.min(calls.size(), replay));
                    double[][] tps = new double[2][2];
                    for (int round = 0; round < 2; round++) {
                        for (int rule = 0; rule < 2; rule++) {
                            EncoderWorkloads.Timing t =
                                    EncoderWorkloads.replay(
                                            model, rule == 0 ? oldRule : base, some, 1);
                            tps[rule][round] = t.tokensPerSecond();
                            System.err.printf(
                                    Locale.ROOT,
                                    "bench: replay %s %s rule round %d: %d calls, %d forwards, %.1f s, %.0f tokens/s (load %s), peak RSS %.0f MiB%n",
                                    c.name(),
                                    rule == 0 ? "old" : "new",
                                    round + 1,
                                    some.size(),
                                    t.forwards(),
                                    t.seconds(),
                                    t.tokensPerSecond(),
                                    loadAverage(),
                                    ProcessStats.peakRssMiB());
                        }
                    }
                    ObjectNode rp = w.putObject("replay");
                    rp.put("calls", some.size());
                    rp.putArray("old_tokens_per_s").add(tps[0][0]).add(tps[0][1]);
                    rp.putArray("new_tokens_per_s").add(tps[1][0]).add(tps[1][1]);
                    replayMd.append(
                            String.format(
                                    Locale.ROOT,
                                    "| %s | %d | %.0f, %.0f | %.0f, %.0f | %.2f, %.2f |%n",
                                    c.name(),
                                    some.size(),
                                    tps[0][0],
                                    tps[0][1],
                                    tps[1][0],
                                    tps[1][1],
                                    tps[1][0] / tps[0][0],
                                    tps[1][1] / tps[0][1]));
                }
            }
        }
        if (replayMd.length() > 0) {
            md.append(
                            String.format(
                                    Locale.ROOT,
                                    "%nReplay: the first --replay encode calls of each corpus, no cache, 1 caller, "
                                            + "real word-pieces per second (padding not counted), rounds old, new, old, new; load %s%n%n"
                                            + "| corpus | calls | old rule tokens/s | new rule tokens/s | new / old |%n|---|---|---|---|---|%n",
                                    loadAverage()))
                    .append(replayMd);
        }
        if (concurrency.length > 0) {
            ArrayNode cn = root.putArray("concurrency");
            EncoderWorkloads.Timing ref = EncoderWorkloads.replay(model, base, concurrencyCalls, 1);
            int defaultConcurrent;
            int defaultThreads;
            try (BackboneWordEncoder probe = new BackboneWordEncoder(model, base, false)) {
                defaultConcurrent = probe.concurrentForwards();
                defaultThreads = probe.forwardThreads();
            }
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nConcurrency: N caller threads x encode on one shared encoder, the same "
                                    + "%d calls of %s (%d real word-pieces) split between them, no cache, 1 libtorch "
                                    + "thread per forward, N forwards at once; %d cores. Reference: 1 caller with the "
                                    + "default split (%d forward at once x %d threads): %.0f tokens/s. Load %s%n%n"
                                    + "| callers | seconds | tokens/s | speedup vs 1 caller | efficiency (speedup / min(N, cores)) "
                                    + "| vs the default split |%n|---|---|---|---|---|---|%n",
                            concurrencyCalls.size(),
                            concurrencyCorpus,
                            ref.tokens(),
                            cores,
                            defaultConcurrent,
                            defaultThreads,
                            ref.tokensPerSecond(),
                            loadAverage()));
            cn.addObject()
                    .put("callers", 1)
                    .put("default_split", true)
                    .put("seconds", ref.seconds())
                    .put("tokens_per_s", ref.tokensPerSecond());
            double one = 0;
            for (int n : concurrency) {
                EncoderWorkloads.Timing t =
                        EncoderWorkloads.replay(model, base.withThreads(n, 1), concurrencyCalls, n);
                if (one == 0) one = n == 1 ? t.tokensPerSecond() : 0;
                double speedup = one > 0 ? t.tokensPerSecond() / one : Double.NaN;
                cn.addObject()
                        .put("callers", n)
                        .put("seconds", t.seconds())
                        .put("tokens_per_s", t.tokensPerSecond())
                        .put("speedup", speedup)
                        .put("efficiency", speedup / Math.min(n, cores));
                System.err.printf(
                        Locale.ROOT,
                        "bench: %d callers: %.1f s, %.0f tokens/s (load %s), peak RSS %.0f MiB%n",
                        n,
                        t.seconds(),
                        t.tokensPerSecond(),
                        loadAverage(),
                        ProcessStats.peakRssMiB());
                md.append(
                        String.format(
                                Locale.ROOT,
                                "| %d | %.1f | %.0f | %.2f | %.2f | %.2f |%n",
                                n,
                                t.seconds(),
                                t.tokensPerSecond(),
                                speedup,
                                speedup / Math.min(n, cores),
                                t.tokensPerSecond() / ref.tokensPerSecond()));
            }
        }
    }
}
