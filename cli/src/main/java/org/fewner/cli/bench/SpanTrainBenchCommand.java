package org.fewner.cli.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fewner.cli.options.OptionChecks;
import org.fewner.cli.options.Range;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.bench.GemmPeak;
import org.fewner.llm.bench.OpProfile;
import org.fewner.llm.bench.ProcessStats;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.training.bench.SpanTrainBenchmark;
import org.fewner.training.dev.SpanStepProfiler;
import org.fewner.training.span.SpanTrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Span-trainer step speed (forward + backward + AdamW on cached word vectors) against this
 * machine's GEMM peak and a PyTorch eager baseline of the same batches, measured in the same run.
 */
@Command(
        name = "span-train",
        mixinStandardHelpOptions = true,
        description = {
            "Span-trainer step speed: steps/s, tokens/s (words of the batch), where the time goes "
                    + "(batch building, features, forward, backward, AdamW; plain Java vs DJL), "
                    + "the fp32 GEMM peak and the same batches in PyTorch eager "
                    + "(training/bench/span_pytorch.py), all in the same run.",
            "Synthetic features of realistic shapes by default; --examples and --cache time a sample "
                    + "of a real feature cache."
        })
public final class SpanTrainBenchCommand implements Runnable {
    @Option(
            names = "--steps",
            defaultValue = "20",
            description = "Timed steps. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int steps;

    @Option(
            names = "--warmup-steps",
            defaultValue = "5",
            description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    @Range(min = 0)
    int warmup;

    @Option(
            names = "--sentences",
            defaultValue = "2000",
            description = "Synthetic sentences. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int sentences;

    @Option(
            names = "--corpora",
            defaultValue = "8",
            description = "Synthetic corpora. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int corpora;

    @Option(
            names = "--types",
            defaultValue = "10",
            description = "Entity types per synthetic corpus. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int types;

    @Option(
            names = "--hidden",
            defaultValue = "768",
            description = "Synthetic word-vector size H. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int hidden;

    @Option(
            names = "--examples",
            paramLabel = "FILE",
            description =
                    "A collector's examples (JSON lines, e.g. ADAPTER.work's source.jsonl); with --cache.")
    Path examples;

    @Option(
            names = "--cache",
            paramLabel = "FILE",
            description = "Their feature cache (FeatureStore); only the sample's entries are read.")
    Path cache;

    @Option(
            names = "--sample",
            defaultValue = "2000",
            description = "Sentences sampled from --examples. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int sample;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Data seed. Default: ${DEFAULT-VALUE}.")
    @Range(note = "any 64-bit integer")
    long seed;

    @Option(
            names = "--threads",
            description =
                    "libtorch intra-op threads (JniUtils.setNumThreads; PyTorch gets the same); default: DJL's.")
    @Range(min = 1)
    Integer threads;

    @Option(
            names = "--gemm-seconds",
            defaultValue = "1",
            description = "Seconds per GEMM shape. Default: ${DEFAULT-VALUE}.")
    @Range(min = 0, minExclusive = true)
    double gemmSeconds;

    @Option(
            names = "--python",
            defaultValue = "/usr/bin/python3",
            description = "Python with torch (Debian's python3-torch). Default: ${DEFAULT-VALUE}.")
    String python;

    @Option(
            names = "--pytorch-script",
            defaultValue = "training/bench/span_pytorch.py",
            description = "The PyTorch baseline. Default: ${DEFAULT-VALUE}.")
    Path script;

    @Option(names = "--no-pytorch", description = "Skip the PyTorch baseline.")
    boolean noPytorch;

    @Option(
            names = "--profile-steps",
            defaultValue = "5",
            description =
                    "Steps profiled per libtorch operator (libtorch's profiler); 0 = none. Default: ${DEFAULT-VALUE}.")
    @Range(min = 0)
    int profileSteps;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Write span-train-bench.json and span-train-bench.md here.")
    Path out;

    /** Steps of the replay's check against trainStep. */
    static final int CHECK_STEPS = 3;

    @Override
    public void run() {
        OptionChecks.positive("--steps", steps);
        OptionChecks.nonNegative("--warmup-steps", warmup);
        OptionChecks.positive("--sentences", sentences);
        OptionChecks.positive("--corpora", corpora);
        OptionChecks.positive("--types", types);
        OptionChecks.positive("--hidden", hidden);
        OptionChecks.positive("--sample", sample);
        OptionChecks.positive("--gemm-seconds", gemmSeconds);
        OptionChecks.nonNegative("--profile-steps", profileSteps);
        if ((examples == null) != (cache == null)) {
            throw new FewNerException("--examples and --cache go together");
        }
        if (threads != null) {
            OptionChecks.positive("--threads", threads);
        }
        String loadBefore = loadAverage();
        SpanTrainBenchmark.Data data =
                examples != null
                        ? SpanTrainBenchmark.real(examples, cache, sample, seed)
                        : SpanTrainBenchmark.synthetic(
                                sentences, corpora, types, hidden, new int[] {9, 12}, seed);
        System.err.println("bench: " + data.description());
        SpanTrainingConfig config = SpanTrainBenchmark.config(data.store(), warmup + steps);
        int h = data.store().hidden();
        ObjectNode root = Json.MAPPER.createObjectNode();
        StringBuilder md = new StringBuilder();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getEngine("PyTorch");
            int nThreads = threads != null ? threads : JniUtils.getNumThreads();
            // the replay's check, with one thread: libtorch's parallel reductions are not
            // bit-reproducible
            JniUtils.setNumThreads(1);
            boolean checked = SpanTrainBenchmark.check(data, config, CHECK_STEPS, m);
            JniUtils.setNumThreads(nThreads);
            System.err.println("bench: replay check " + (checked ? "passed" : "FAILED"));
            SpanTrainBenchmark.Result r = SpanTrainBenchmark.run(data, config, warmup, steps, m);
            List<GemmPeak.Result> gemms =
                    List.of(
                            GemmPeak.measure(
                                    m,
                                    (int) Math.round(r.meanWords()),
                                    h,
                                    config.detectDim(),
                                    gemmSeconds,
                                    3),
                            GemmPeak.measure(m, 4096, 768, 3072, gemmSeconds * 2, 3),
                            GemmPeak.measure(m, 1024, 1024, 1024, gemmSeconds * 2, 3));
            double peak = GemmPeak.best(gemms);
            OpProfile.Profile prof =
                    profileSteps > 0
                            ? SpanTrainBenchmark.profile(data, config, warmup, profileSteps, m)
                            : null;
            JsonNode torch = noPytorch ? null : pytorch(data, config, h, m);
            String loadAfter = loadAverage();
            report(root, md, data, config, r, checked, gemms, peak, torch, loadBefore, loadAfter);
            if (prof != null) {
                profileReport(root, md, prof);
            }
            if (torch != null && torch.path("profile").has("ops")) {
                torchProfileReport(md, torch.get("profile"));
            }
        } catch (IOException e) {
            throw new FewNerException("bench span-train: profiler trace: " + e.getMessage(), e);
        }
        System.out.println(md);
        if (out != null) {
            AtomicFiles.writeString(out.resolve("span-train-bench.md"), md.toString());
            Json.writeAtomically(out.resolve("span-train-bench.json"), root);
            System.err.println("bench: wrote " + out.resolve("span-train-bench.json") + " and .md");
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Runs the PyTorch baseline on the very batches that were timed; null when it cannot run. */
    private JsonNode pytorch(
            SpanTrainBenchmark.Data data, SpanTrainingConfig config, int h, NDManager m) {
        if (!Files.isRegularFile(script)) {
            System.err.println("bench: PyTorch baseline skipped: no " + script);
            return null;
        }
        try {
            Path dir = Files.createTempDirectory("fewner-span-bench");
            try {
                Path batches = dir.resolve("batches.json");
                Path cfg = dir.resolve("config.json");
                Path res = dir.resolve("result.json");
                Files.writeString(
                        batches,
                        Json.line(SpanTrainBenchmark.batches(data, config, warmup, steps)));
                Files.writeString(cfg, Json.line(Json.MAPPER.valueToTree(config)));
                writeCheck(
                        dir,
                        SpanStepProfiler.checkData(config, data.examples(), data.store(), m),
                        h);
                List<String> cmd =
                        new ArrayList<>(
                                List.of(
                                        python,
                                        script.toString(),
                                        "--batches",
                                        batches.toString(),
                                        "--config",
                                        cfg.toString(),
                                        "--hidden",
                                        String.valueOf(h),
                                        "--threads",
                                        String.valueOf(JniUtils.getNumThreads()),
                                        "--warmup",
                                        String.valueOf(Math.max(1, warmup)),
                                        "--gemm-seconds",
                                        String.valueOf(gemmSeconds),
                                        "--out",
                                        res.toString(),
                                        "--check",
                                        dir.toString(),
                                        "--profile-steps",
                                        String.valueOf(profileSteps)));
                System.err.println("bench: " + String.join(" ", cmd));
                Process p =
                        new ProcessBuilder(cmd)
                                .redirectError(ProcessBuilder.Redirect.INHERIT)
                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                .start();
                int rc = p.waitFor();
                if (rc != 0 || !Files.isRegularFile(res)) {
                    System.err.println(
                            "bench: PyTorch baseline skipped: "
                                    + python
                                    + " exited with "
                                    + rc
                                    + " (needs Debian's python3-torch)");
                    return null;
                }
                return Json.readTree(res);
            } finally {
                try (var s = Files.list(dir)) {
                    for (Path f : s.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            System.err.println("bench: PyTorch baseline skipped: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Step 0 of a fresh trainer for the baseline's numeric check: raw little-endian float32. */
    private static void writeCheck(Path dir, SpanStepProfiler.CheckData c, int h)
            throws IOException {
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.set("batch", c.batch());
        j.set("losses", Json.MAPPER.valueToTree(c.losses()));
        int rows = c.batch().get("rows").asInt();
        j.set("xd", rawFloats(dir, "xd.f32", new long[] {rows, h}, c.detectFeatures()));
        j.set("xl", rawFloats(dir, "xl.f32", new long[] {rows, h}, c.typeFeatures()));
        for (String side : List.of("before", "after")) {
            ObjectNode o = j.putObject(side);
            Map<String, HostTensor> t = side.equals("before") ? c.before() : c.after();
            for (Map.Entry<String, HostTensor> e : t.entrySet()) {
                o.set(
                        e.getKey(),
                        rawFloats(
                                dir,
                                side + "." + e.getKey() + ".f32",
                                e.getValue().shape(),
                                e.getValue().toFloats()));
            }
        }
        Files.writeString(dir.resolve("check.json"), Json.line(j));
    }

    private static ObjectNode rawFloats(Path dir, String name, long[] shape, float[] v)
            throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        Files.write(dir.resolve(name), b.array());
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("file", name);
        o.set("shape", Json.MAPPER.valueToTree(shape));
        return o;
    }

    private static void profileReport(ObjectNode root, StringBuilder md, OpProfile.Profile p) {
        int n = p.forwards();
        ObjectNode pn = root.putObject("profile");
        pn.put("steps", n)
                .put("wall_ms_per_step", p.wallMs() / n)
                .put("op_ms_per_step", p.opMs() / n);
        var ops = pn.putArray("ops");
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nlibtorch operators (libtorch's profiler over %d trainStep calls; self times): wall "
                                + "%.1f ms/step, libtorch ops %.1f ms/step (%.0f%%), the rest (Java, JNI, profiler) "
                                + "%.1f ms/step.%n%n| op | calls/step | self ms/step | share of wall |%n"
                                + "|---|---:|---:|---:|%n",
                        n,
                        p.wallMs() / n,
                        p.opMs() / n,
                        100 * p.opMs() / p.wallMs(),
                        (p.wallMs() - p.opMs()) / n));
        OpProfile.appendOps(md, ops, p, "step", 15);
    }

    private static void torchProfileReport(StringBuilder md, JsonNode p) {
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nPyTorch operators (torch.autograd.profiler over %d steps; self times): wall %.1f ms/step, "
                                + "ops %.1f ms/step.%n%n| op | calls/step | self ms/step |%n|---|---:|---:|%n",
                        p.path("steps").asInt(),
                        p.path("wall_ms_per_step").asDouble(),
                        p.path("op_ms_per_step").asDouble()));
        int shown = 0;
        for (JsonNode op : p.get("ops")) {
            if (shown++ >= 15) {
                break;
            }
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %.0f | %.2f |%n",
                            op.path("name").asText(),
                            op.path("calls_per_step").asDouble(),
                            op.path("self_ms_per_step").asDouble()));
        }
    }

    private static final Map<String, String> KIND =
            Map.of(
                    "batch", "plain Java",
                    "features", "plain Java",
                    "upload", "DJL (JNI copy)",
                    "forward", "DJL ops + Java index arrays",
                    "backward", "libtorch autograd",
                    "download", "DJL (JNI copy) + Java sums",
                    "free", "DJL (native free)",
                    "perturb", "plain Java",
                    "optimiser", "plain Java");

    private void report(
            ObjectNode root,
            StringBuilder md,
            SpanTrainBenchmark.Data data,
            SpanTrainingConfig config,
            SpanTrainBenchmark.Result r,
            boolean checked,
            List<GemmPeak.Result> gemms,
            double peak,
            JsonNode torch,
            String loadBefore,
            String loadAfter) {
        double flops = r.meanMatmulFlops();
        double med = r.medianStepSeconds();
        var steps0 = r.profiled();
        double cands = steps0.stream().mapToInt(s -> s.candidates()).average().orElse(0);
        double spans = steps0.stream().mapToInt(s -> s.spans()).average().orElse(0);
        double sents = steps0.stream().mapToInt(s -> s.sentences()).average().orElse(0);
        int passes = steps0.get(0).passes();
        root.put("date", Instant.now().toString());
        root.put("data", data.description());
        root.set("config", Json.MAPPER.valueToTree(config));
        root.put("intra_op_threads", JniUtils.getNumThreads());
        root.put("available_processors", Runtime.getRuntime().availableProcessors());
        root.put("loadavg_before", loadBefore);
        root.put("loadavg_after", loadAfter);
        root.put("steps", r.trainStepSeconds().length);
        root.set("train_step_s", Json.MAPPER.valueToTree(r.trainStepSeconds()));
        root.put("median_step_s", med);
        root.put("best_step_s", r.bestStepSeconds());
        root.put("steps_per_s", r.stepsPerSecond());
        root.put("tokens_per_s", r.tokensPerSecond());
        root.put("mean_words", r.meanWords());
        root.put("mean_sentences", sents);
        root.put("mean_candidates", cands);
        root.put("mean_typing_rows", spans);
        root.put("passes", passes);
        root.put("matmul_gflop_per_step", flops / 1e9);
        root.put("gemm_peak_gflops", peak);
        root.set("gemm_shapes", Json.MAPPER.valueToTree(gemms));
        root.put("replay_check_steps_one_thread", CHECK_STEPS);
        root.put("replay_identical", checked);
        root.put("replay_mean_step_s", r.meanReplaySeconds());
        root.set("phase_s", Json.MAPPER.valueToTree(r.phaseSeconds()));
        root.put("peak_rss_mib", ProcessStats.peakRssMiB());
        if (torch != null) {
            root.set("pytorch", torch);
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "Span trainer step, %s.%nSettings: defaults (ways %d, shots %d~%d, queries %d, +%d "
                                + "sentences, max width %d, d %d, k %d, adv %s); batch: %.1f sentences, %.0f words, "
                                + "%.0f detection candidates, %.0f typing rows, %d forward+backward passes, "
                                + "%.2f GFLOP of matmuls per step (forward+backward).%n"
                                + "Intra-op threads %d (of %d processors); load average before %s, after %s; "
                                + "fp32 GEMM peak %.1f GFLOP/s (best of %s, this run); peak RSS %.0f MiB.%n%n",
                        data.description(),
                        config.ways(),
                        config.shots(),
                        2 * config.shots(),
                        config.queryShots(),
                        config.extraSentences(),
                        config.maxWidth(),
                        config.detectDim(),
                        config.typeDim(),
                        config.adv(),
                        sents,
                        r.meanWords(),
                        cands,
                        spans,
                        passes,
                        flops / 1e9,
                        JniUtils.getNumThreads(),
                        Runtime.getRuntime().availableProcessors(),
                        loadBefore,
                        loadAfter,
                        peak,
                        gemms.stream().map(GemmPeak.Result::shape).toList(),
                        ProcessStats.peakRssMiB()));
        md.append(
                "| engine | steps | step s median (best) | steps/s | tokens/s (words) | matmul GFLOP/s | "
                        + "ratio to GEMM peak |\n|---|---:|---:|---:|---:|---:|---:|\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "| DJL %s, SpanTrainer.trainStep | %d | %.4f (%.4f) | %.2f | %.0f | %.1f | %.3f |%n",
                        Engine.getEngine("PyTorch").getVersion(),
                        r.trainStepSeconds().length,
                        med,
                        r.bestStepSeconds(),
                        r.stepsPerSecond(),
                        r.tokensPerSecond(),
                        flops / med / 1e9,
                        flops / med / 1e9 / peak));
        if (torch != null) {
            double tm = torch.path("median_step_s").asDouble();
            double tpeak = torch.path("gemm_peak_gflops").asDouble();
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| PyTorch %s eager, same batches | %d | %.4f (%.4f) | %.2f | %.0f | %.1f | "
                                    + "%.3f (its own peak %.1f) |%n",
                            torch.path("torch").asText(),
                            torch.path("steps").asInt(),
                            tm,
                            torch.path("best_step_s").asDouble(),
                            torch.path("steps_per_s").asDouble(),
                            torch.path("tokens_per_s").asDouble(),
                            flops / tm / 1e9,
                            flops / tm / 1e9 / tpeak,
                            tpeak));
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nWhere the time goes (DJL: phase-by-phase replay of trainStep on a second trainer over "
                                + "the same steps, mean per step; checked: after %d steps at one thread its heads %s "
                                + "the real trainer's; replay %.4f s/step "
                                + "vs trainStep median %.4f s):%n%n| phase | what runs | DJL ms/step | share |%s%n"
                                + "|---|---|---:|---:|%s%n",
                        CHECK_STEPS,
                        checked
                                ? "are bit-identical to"
                                : "DIFFER from (the breakdown is unchecked)",
                        r.meanReplaySeconds(),
                        med,
                        torch != null ? " PyTorch ms/step |" : "",
                        torch != null ? "---:|" : ""));
        double total = r.meanReplaySeconds();
        JsonNode tp = torch == null ? null : torch.path("phase_s");
        Map<String, String> torchPhase =
                Map.of(
                        "batch", "-",
                        "features", "-",
                        "upload", "-",
                        "download", "-",
                        "free", "-");
        double javaOnly = 0;
        for (Map.Entry<String, Double> e : r.phaseSeconds().entrySet()) {
            String k = e.getKey();
            if (KIND.get(k).startsWith("plain Java")) {
                javaOnly += e.getValue();
            }
            String tcol = "";
            if (tp != null) {
                tcol =
                        tp.has(k)
                                ? String.format(Locale.ROOT, " %.1f |", 1000 * tp.get(k).asDouble())
                                : " " + torchPhase.getOrDefault(k, "-") + " |";
            }
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %.1f | %.1f%% |%s%n",
                            k,
                            KIND.get(k),
                            1000 * e.getValue(),
                            100 * e.getValue() / total,
                            tcol));
        }
        if (tp != null) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| prep (PyTorch: index tensors and masks, numpy) | - | - | - | %.1f |%n",
                            1000 * tp.path("prep").asDouble()));
        }
        JsonNode chk = torch == null ? null : torch.path("check");
        if (chk != null && chk.has("terms")) {
            StringBuilder terms = new StringBuilder();
            chk.get("terms")
                    .fields()
                    .forEachRemaining(
                            e ->
                                    terms.append(
                                            String.format(
                                                    Locale.ROOT,
                                                    " %s %.6f / %.6f;",
                                                    e.getKey(),
                                                    e.getValue().path("java").asDouble(),
                                                    e.getValue().path("torch").asDouble())));
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nSame computation? Step 0 of a fresh trainer replayed in PyTorch from the same heads, word "
                                    + "vectors and batch; loss terms DJL / PyTorch:%s largest relative difference %.1e; heads "
                                    + "after the step differ by at most %.1e (the step moved them by up to %.1e).%n",
                            terms,
                            chk.path("max_rel_loss_diff").asDouble(),
                            chk.path("max_abs_head_diff_after_step").asDouble(),
                            chk.path("max_abs_head_change_in_step").asDouble()));
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nPlain Java (batch, features, perturb, optimiser): %.1f ms/step (%.1f%%); DJL/libtorch "
                                + "(upload, forward, backward, download, free): %.1f ms/step (%.1f%%).%n",
                        1000 * javaOnly,
                        100 * javaOnly / total,
                        1000 * (total - javaOnly),
                        100 * (total - javaOnly) / total));
    }
}
