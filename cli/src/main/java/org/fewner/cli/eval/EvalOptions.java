package org.fewner.cli.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.evaluation.Evaluation;
import org.fewner.evaluation.Protocol;
import picocli.CommandLine.Option;

/** Options shared by every {@code fewner eval} protocol (a picocli mixin). */
public final class EvalOptions {
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
    List<Integer> layers = new ArrayList<>();

    @Option(
            names = "--seed",
            defaultValue = "1",
            paramLabel = "S",
            description = "Seeds everything random (task i uses S + i). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

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
    long cacheMb;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    Evaluation.Options options(String command) {
        for (int l : layers) {
            if (l < 0) throw new FewNerException("--layer " + l + ": expected a layer >= 0");
        }
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
        List<Map<String, Object>> results = Evaluation.run(protocols, outs, options(command));
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
