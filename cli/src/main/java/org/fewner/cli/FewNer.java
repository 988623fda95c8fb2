package org.fewner.cli;

import org.fewner.cli.adapter.AdapterCommand;
import org.fewner.cli.bench.BenchCommand;
import org.fewner.cli.eval.EvalCommand;
import org.fewner.cli.generate.GenerateCommand;
import org.fewner.cli.model.ModelCommand;
import org.fewner.cli.stats.StatsCommand;
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
            StatsCommand.class,
            ModelCommand.class,
            AdapterCommand.class,
            GenerateCommand.class,
            BenchCommand.class,
            EvalCommand.class,
            org.fewner.cli.train.TrainCommand.class,
            org.fewner.cli.sft.SftCommand.class,
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
     * A command line with FewNER's error handling: a user error prints one clear message and exits
     * 2.
     */
    /**
     * Errors about the user's input (files, models, options): their message already names the file
     * and the problem, so the command line prints it alone. Anything else is a bug and keeps its
     * stack trace.
     */
    static boolean isUserError(Throwable ex) {
        return ex instanceof UserFacingException
                || ex instanceof org.fewner.common.FewNerException
                || ex instanceof java.io.UncheckedIOException
                || ex instanceof java.io.IOException
                || ex instanceof IllegalArgumentException
                || ex instanceof org.fewner.llm.tensors.TensorFileException
                || ex instanceof org.fewner.llm.config.ConfigException
                || ex instanceof org.fewner.llm.hub.TfBundleException
                || ex instanceof org.apache.uima.UIMAException;
    }

    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new FewNer());
        cl.setExecutionExceptionHandler(
                (ex, commandLine, parseResult) -> {
                    if (isUserError(ex)) {
                        commandLine.getErr().println("fewner: " + ex.getMessage());
                        return 2;
                    }
                    throw ex;
                });
        return cl;
    }
}
