package org.fewner.cli.spark;

import org.fewner.spark.SparkAnnotateCommand;
import picocli.CommandLine.Command;

/**
 * {@code fewner spark}: FewNER on Apache Spark. {@code ./fewner} puts Spark on the class path for
 * this command only (cli/target/spark-lib), so that every other command starts without it.
 */
@Command(
        name = "spark",
        mixinStandardHelpOptions = true,
        description = "FewNER on Apache Spark (spark/docs/spark.md).",
        subcommands = {SparkAnnotateCommand.class})
public final class SparkCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing sub-command");
    }
}
