package org.fewner.cli;

import org.fewner.cli.adapter.AdapterCommand;
import org.fewner.cli.bench.BenchCommand;
import org.fewner.cli.eval.EvalCommand;
import org.fewner.cli.generate.GenerateCommand;
import org.fewner.cli.model.ModelCommand;
import org.fewner.cli.stats.StatsCommand;
import org.fewner.common.FewNerException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./fewner}: one sub-command per task, each in its own package. */
@Command(
        name = "fewner",
        mixinStandardHelpOptions = true,
        version = "FewNER 0.1.0-SNAPSHOT",
        description =
                "Few-shot named-entity recognition for UIMA/DKPro: readers, models, adapters, benchmarks.",
        subcommands = {
            org.fewner.cli.annotate.AnnotateCommand.class,
            org.fewner.cli.spark.SparkCommand.class,
            StatsCommand.class,
            ModelCommand.class,
            AdapterCommand.class,
            GenerateCommand.class,
            BenchCommand.class,
            EvalCommand.class,
            org.fewner.cli.train.TrainCommand.class,
            org.fewner.cli.sft.SftCommand.class,
            org.fewner.serve.ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class FewNer implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing sub-command");
    }

    public static void main(String[] args) {
        RuntimeSettings.applyOfflineDefaults();
        System.exit(newCommandLine().execute(args));
    }

    /**
     * Whether {@code ex} is an error about the user's input (files, models, options): decided by
     * type alone, a {@link FewNerException}. Anything else is a bug and keeps its stack trace.
     */
    static boolean isUserError(Throwable ex) {
        return userError(ex) != null;
    }

    /**
     * The {@link FewNerException} that {@code ex} is, or that a framework wrapped on the way up
     * (UIMA wraps a reader's error in its own exceptions): the first one on the cause chain, or
     * null.
     */
    static FewNerException userError(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FewNerException f) {
                return f;
            }
        }
        return null;
    }

    /** The one line printed for a user error: {@code fewner: <message>}, line breaks folded. */
    static String oneLine(FewNerException e) {
        return "fewner: " + String.valueOf(e.getMessage()).replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /**
     * A command line with FewNER's error handling: a user error prints one line {@code fewner:
     * <file>[:<line>]: <problem>} and exits 2.
     */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new FewNer());
        cl.setExecutionExceptionHandler(
                (ex, commandLine, parseResult) -> {
                    FewNerException user = userError(ex);
                    if (user != null) {
                        commandLine.getErr().println(oneLine(user));
                        return 2;
                    }
                    throw ex;
                });
        return cl;
    }
}
