package org.fewner.cli.bench;

import picocli.CommandLine.Command;

/** Benchmarks that print figures: encoder, decoder, annotate, spark, span-train, serve. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Benchmarks that print figures: encoder, decoder, annotate, spark, span-train, serve.",
        subcommands = {
            EncoderBenchCommand.class,
            DecoderBenchCommand.class,
            AnnotateBenchCommand.class,
            SparkBenchCommand.class,
            SpanTrainBenchCommand.class,
            org.fewner.serve.ServeBenchCommand.class
        })
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing sub-command");
    }
}
