package org.fewner.cli.eval;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fewner.cli.options.Range;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.evaluation.Predictions;
import org.fewner.evaluation.Protocol;
import org.fewner.evaluation.Tally;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fewner eval}: the papers' few-shot protocols, scored the standard way, one command per
 * number (module {@code evaluation}).
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description =
                "Evaluates a few-shot method on Few-NERD episodes, the cross-dataset setting or K-shot samples.",
        subcommands = {
            EvalCommand.FewNerd.class,
            EvalCommand.CrossDomain.class,
            EvalCommand.KShot.class,
            EvalCommand.Rescore.class,
            EvalCommand.Summary.class
        })
public final class EvalCommand implements Runnable {
    @Spec CommandSpec spec;

    static {
        // OpenNLP logs every training at INFO; one per episode would drown the progress bar.
        if (System.getProperty("org.slf4j.simpleLogger.log.opennlp") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.opennlp", "warn");
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing sub-command");
    }

    static String commandLine(CommandSpec spec) {
        // originalArgs() holds the whole command line from "eval" on; --resume is left out (a
        // resumed run
        // ends with the same figures as the command without it)
        StringBuilder b = new StringBuilder("./fewner");
        for (String a : spec.commandLine().getParseResult().originalArgs()) {
            if (a.equals("--resume") || a.equals("--overwrite")) continue;
            b.append(' ').append(a.contains(" ") ? "'" + a + "'" : a);
        }
        return b.toString();
    }

    static Path datasets() {
        return Path.of(System.getProperty("fewner.shared", "../shared")).resolve("datasets");
    }

    /** {@code fewner eval fewnerd}. */
    @Command(
            name = "fewnerd",
            mixinStandardHelpOptions = true,
            description =
                    "Few-NERD episodes: the first N episodes of a test_N_K.jsonl(.gz) file, Few-NERD's micro rule.")
    static final class FewNerd implements Callable<Integer> {
        @Option(
                names = "--file",
                required = true,
                paramLabel = "FILE",
                description = "Few-NERD episode file.")
        Path file;

        @Option(
                names = "--max-episodes",
                defaultValue = "0",
                paramLabel = "N",
                description = "Only the first N episodes, in file order (0 = all).")
        @Range(min = 0, note = "0 = all")
        int maxEpisodes;

        @Mixin EvalOptions eval;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            return eval.run(
                    Protocol.fewNerd(file, maxEpisodes),
                    commandLine(spec),
                    spec.commandLine().getOut());
        }
    }

    /** {@code fewner eval crossdomain}. */
    @Command(
            name = "crossdomain",
            mixinStandardHelpOptions = true,
            description =
                    "Cross-dataset few-shot (CONTaiNER/ProML): ProML's 10 support samples, the whole target test set as query, mean over samples.")
    static final class CrossDomain implements Callable<Integer> {
        @Option(
                names = "--target",
                required = true,
                paramLabel = "conll|gum|wnut",
                description = "Target dataset.")
        String target;

        @Option(
                names = "--shots",
                required = true,
                split = ",",
                paramLabel = "1|5",
                description =
                        "1-shot or 5-shot samples; 1,5 runs both in one process (shared encodings), into --out/1shot and --out/5shot.")
        @Range(min = 1, max = 5)
        java.util.List<Integer> shots;

        @Option(
                names = "--lowercase-query",
                description =
                        "Lower-case the query words (ProML's support samples are lower-cased, the query files are not).")
        boolean lowercase;

        @Option(
                names = "--data",
                paramLabel = "DIR",
                description = "The datasets folder (default: ../shared/datasets).")
        Path data;

        @Mixin EvalOptions eval;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            Path d = data != null ? data : datasets();
            java.util.List<Protocol> protocols = new java.util.ArrayList<>();
            java.util.List<Path> outs = new java.util.ArrayList<>();
            for (int k : shots) {
                protocols.add(
                        Protocol.crossDomain(d, target.toLowerCase(Locale.ROOT), k, lowercase));
                outs.add(shots.size() == 1 ? eval.out : eval.out.resolve(k + "shot"));
            }
            return eval.run(protocols, outs, commandLine(spec), spec.commandLine().getOut());
        }
    }

    /** {@code fewner eval kshot}. */
    @Command(
            name = "kshot",
            mixinStandardHelpOptions = true,
            description =
                    "K-shot supervised: K entities per type sampled greedily from --train with --seed, tested on the whole --test file.")
    static final class KShot implements Callable<Integer> {
        @Option(
                names = "--train",
                required = true,
                paramLabel = "FORMAT:FILE",
                description = "Training file (conll2003 or conll).")
        String train;

        @Option(
                names = "--test",
                required = true,
                paramLabel = "FORMAT:FILE",
                description = "Test file.")
        String test;

        @Option(
                names = "--k",
                required = true,
                paramLabel = "K",
                description = "Entities per type (at least K, at most 2K).")
        @Range(min = 1)
        int k;

        @Mixin EvalOptions eval;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            return eval.run(
                    Protocol.kShot(train, test, k, eval.seed),
                    commandLine(spec),
                    spec.commandLine().getOut());
        }
    }

    /** {@code fewner eval rescore}. */
    @Command(
            name = "rescore",
            mixinStandardHelpOptions = true,
            description =
                    "Re-scores a predictions.jsonl independently and prints the figures as JSON.")
    static final class Rescore implements Callable<Integer> {
        @Parameters(paramLabel = "PREDICTIONS", description = "A run's predictions.jsonl.")
        Path file;

        @Option(
                names = "--aggregation",
                defaultValue = "pooled",
                paramLabel = "pooled|mean_over_episodes",
                description =
                        "Headline figure: pooled (Few-NERD, K-shot) or mean_over_episodes (cross-dataset). Default: ${DEFAULT-VALUE}.")
        String aggregation;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            Tally.Aggregation agg;
            try {
                agg = Tally.Aggregation.of(aggregation);
            } catch (IllegalArgumentException e) {
                throw new FewNerException(
                        "--aggregation "
                                + FewNerException.quote(aggregation)
                                + ": expected pooled or mean_over_episodes",
                        e);
            }
            Tally t = Predictions.rescore(file);
            Map<String, Object> s = t.summary(agg);
            PrintWriter out = spec.commandLine().getOut();
            out.println(Json.pretty(s));
            out.flush();
            return 0;
        }
    }

    /** {@code fewner eval summary}. */
    @Command(
            name = "summary",
            mixinStandardHelpOptions = true,
            description =
                    "One Markdown table and one plot over the results.json files under the given folders (published rows beside).")
    static final class Summary implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "DIR", description = "Folders holding runs.")
        java.util.List<Path> dirs;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "FILE.md",
                description = "Markdown file to write; the plot goes beside it (.png).")
        Path out;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            String name = out.getFileName().toString().replaceAll("\\.md$", "");
            String table =
                    org.fewner.evaluation.Summary.write(
                            dirs, out, out.resolveSibling(name + ".png"));
            spec.commandLine().getOut().print(table);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
