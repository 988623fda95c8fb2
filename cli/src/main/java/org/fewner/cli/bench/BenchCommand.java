package org.fewner.cli.bench;

import picocli.CommandLine.Command;

/** Benchmarks that print figures: encoder, decoder, annotate, spark. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print figures: encoder, decoder, annotate, spark.",
        subcommands = {
            EncoderBenchCommand.class,
            DecoderBenchCommand.class,
            AnnotateBenchCommand.class,
            SparkBenchCommand.class
        })
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing sub-command");
    }
}
