package org.fewner.cli.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.cli.options.Range;
import org.fewner.cli.options.Validated;
import org.fewner.common.FewNerException;
import org.fewner.common.OutputFolder;
import org.fewner.evaluation.Evaluation;
import org.fewner.evaluation.Protocol;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.MethodOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options shared by every {@code fewner eval} protocol (a picocli mixin). Checked before any work
 * ({@link #validate}): the method and its {@code -O} keys, the layers, the output folder (never a
 * folder of the user's; {@code --resume} or {@code --overwrite} only of an earlier eval of the same
 * kind). The run holds the folder's lock ({@link OutputFolder}).
 */
public final class EvalOptions implements Validated {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--method",
            defaultValue = Evaluation.DEFAULT_METHOD,
            paramLabel = "M",
            description =
                    "Method: span, frozen-prototype, opennlp, generative, or any registered one. Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(
            names = "--model",
            defaultValue = "default",
            paramLabel = "default|default-uncased|DIR",
            description = "Backbone model. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            paramLabel = "cpu|gpu[:N]",
            description = "Where the model runs. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(
            names = "--adapter",
            paramLabel = "DIR",
            description =
                    "Source-trained adapter directory (its training.json must not list the target's evaluation files).")
    Path adapter;

    @Option(
            names = "--layer",
            split = ",",
            paramLabel = "L",
            description =
                    "Layer (HF numbering: 0 = embeddings, 12 = BERT-base's last). frozen-prototype accepts several "
                            + "(e.g. 9,12): one encoding pass, one output folder per layer. Default: the method's.")
    @Range(min = 0)
    List<Integer> layers = new ArrayList<>();

    @Option(
            names = "--seed",
            defaultValue = "1",
            paramLabel = "S",
            description = "Seeds everything random (task i uses S + i). Default: ${DEFAULT-VALUE}.")
    @Range(note = "any integer")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(
            names = "--overwrite",
            description =
                    "Replace an earlier run of the same eval command in --out (never a folder it did not write).")
    boolean overwrite;

    @Option(
            names = "--resume",
            description = "Continue a killed run in --out from its checkpoint (same options).")
    boolean resume;

    @Option(
            names = {"-O", "--method-option"},
            paramLabel = "KEY=VALUE",
            description = "Further method options, e.g. -O opennlp-cutoff=1.")
    Map<String, String> methodOptions = new LinkedHashMap<>();

    @Option(
            names = "--cache-mb",
            defaultValue = "3072",
            paramLabel = "MB",
            description =
                    "Bound of the cache of sentence encodings (MiB). Default: ${DEFAULT-VALUE}.")
    @Range(min = 0, max = 1 << 20)
    long cacheMb;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    /** The command's name as the output folder's marker records it, e.g. {@code eval fewnerd}. */
    String commandName() {
        return mixee == null ? "eval" : mixee.qualifiedName(" ").replaceFirst("^fewner ", "");
    }

    OutputFolder.Mode mode() {
        return OutputFolder.Mode.of(overwrite, resume);
    }

    /** Outputs of runs from before the marker existed: a checkpoint here or one level down. */
    static boolean legacyRun(Path dir) {
        if (Files.isRegularFile(dir.resolve("checkpoint.json"))) {
            return true;
        }
        try (var s = Files.list(dir)) {
            return s.anyMatch(d -> Files.isRegularFile(d.resolve("checkpoint.json")));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Override
    public void validate() {
        FewShotMethods.provider(method);
        MethodOptions.requireKnown(method, methodOptions);
        if (adapter != null && Files.isRegularFile(adapter)) {
            throw new FewNerException(
                    adapter
                            + ": is a file; --adapter expects an adapter directory (adapter_config.json and adapter_model.safetensors)");
        }
        OutputFolder.Mode mode = mode(); // --overwrite with --resume first
        if (mode == OutputFolder.Mode.RESUME && !Files.exists(out)) {
            throw new FewNerException(
                    out.resolve("checkpoint.json")
                            + ": no checkpoint to resume (run without --resume first)");
        }
        OutputFolder.check(out, commandName(), mode, EvalOptions::legacyRun);
    }

    Evaluation.Options options(String command) {
        return new Evaluation.Options(
                method,
                model,
                device,
                adapter,
                List.copyOf(layers),
                seed,
                out,
                resume,
                !noProgress,
                methodOptions,
                cacheMb,
                command);
    }

    /** Runs the protocol and prints one summary line per variant. */
    int run(Protocol protocol, String command, java.io.PrintWriter stdout) {
        return run(List.of(protocol), List.of(out), command, stdout);
    }

    /** Runs protocols with shared methods; protocol i writes to outs[i]. */
    int run(List<Protocol> protocols, List<Path> outs, String command, java.io.PrintWriter stdout) {
        List<Map<String, Object>> results;
        try (OutputFolder folder =
                OutputFolder.open(out, commandName(), mode(), EvalOptions::legacyRun)) {
            results = Evaluation.run(protocols, outs, options(command));
        }
        for (Map<String, Object> r : results) {
            @SuppressWarnings("unchecked")
            Map<String, Object> micro = (Map<String, Object>) r.get("micro");
            stdout.printf(
                    java.util.Locale.ROOT,
                    "%s %s: P %.2f R %.2f F1 %.2f (%s tasks, %.1f s, %.2f tasks/min)%n",
                    r.get("setting"),
                    r.get("variant"),
                    ((Number) micro.get("precision")).doubleValue(),
                    ((Number) micro.get("recall")).doubleValue(),
                    ((Number) micro.get("f1")).doubleValue(),
                    r.get("tasks"),
                    ((Number) r.get("elapsed_seconds")).doubleValue(),
                    ((Number) r.get("episodes_per_minute")).doubleValue());
        }
        stdout.flush();
        return 0;
    }
}
