package org.fewner.cli;

import org.fewner.cli.adapter.AdapterCommand;
import org.fewner.cli.bench.BenchCommand;
import org.fewner.cli.eval.EvalCommand;
import org.fewner.cli.generate.GenerateCommand;
import org.fewner.cli.model.ModelCommand;
import org.fewner.cli.options.OptionRanges;
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
        return "fewner: "
                + escapeControls(String.valueOf(e.getMessage()))
                        .replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /**
     * A command line with FewNER's error handling: a user error prints one line {@code fewner:
     * <file>[:<line>]: <problem>} and exits 2; so does a command-line parse error (an unknown or
     * missing option, a value of the wrong type), with a pointer to the command's {@code --help}
     * instead of the usage text. Between parsing and a command's work, every option is checked
     * against its {@link org.fewner.cli.options.Range} and every {@link
     * org.fewner.cli.options.Validated} hook runs ({@link OptionRanges#check}).
     */
    public static CommandLine newCommandLine() {
        return newCommandLine(false);
    }

    /**
     * {@link #newCommandLine()}, or with {@code checkOnly} one that parses and checks the options
     * (ranges, validation hooks) and then returns 0 without running the command: what the property
     * test of numeric options runs.
     */
    public static CommandLine newCommandLine(boolean checkOnly) {
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
        cl.setParameterExceptionHandler(
                (ex, args) -> {
                    CommandLine c = ex.getCommandLine() != null ? ex.getCommandLine() : cl;
                    c.getErr().println(parseErrorLine(ex));
                    c.getErr().flush();
                    return 2;
                });
        cl.setExecutionStrategy(
                parseResult -> {
                    try {
                        OptionRanges.check(parseResult);
                    } catch (FewNerException e) {
                        CommandLine c = last(parseResult).commandSpec().commandLine();
                        c.getErr().println(oneLine(e) + helpPointer(c));
                        c.getErr().flush();
                        return 2;
                    }
                    if (checkOnly && !helpRequested(parseResult)) {
                        return 0;
                    }
                    return new CommandLine.RunLast().execute(parseResult);
                });
        return cl;
    }

    private static CommandLine.ParseResult last(CommandLine.ParseResult p) {
        while (p.subcommand() != null) {
            p = p.subcommand();
        }
        return p;
    }

    private static boolean helpRequested(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The one line printed for a command-line parse error: {@code fewner: <problem> (see 'fewner
     * <command> --help')}, with picocli's suggestions for a mistyped option.
     */
    static String parseErrorLine(CommandLine.ParameterException ex) {
        CommandLine c = ex.getCommandLine();
        StringBuilder b = new StringBuilder("fewner: ");
        b.append(
                escapeControls(String.valueOf(ex.getMessage()))
                        .replaceAll("\\s*[\\r\\n]+\\s*", " "));
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            java.util.List<String> s = u.getSuggestions();
            if (s != null && !s.isEmpty()) {
                b.append("; did you mean ")
                        .append(String.join(" or ", s.subList(0, Math.min(3, s.size()))))
                        .append('?');
            }
        }
        if (c != null) {
            b.append(helpPointer(c));
        }
        return b.toString();
    }

    private static String helpPointer(CommandLine c) {
        return " (see 'fewner"
                + (c.getCommandSpec().parent() == null
                        ? ""
                        : " " + c.getCommandSpec().qualifiedName(" ").replaceFirst("^fewner ", ""))
                + " --help')";
    }

    /** Control characters (a NUL, an escape) written as u-escapes, line breaks kept. */
    static String escapeControls(String s) {
        return org.fewner.common.Printable.keepLineBreaks(s);
    }
}
