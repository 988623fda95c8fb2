package org.fewner.cli.model;

import picocli.CommandLine.Command;

/** Model tools: check, inspect, random. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = "Model tools: check, inspect, random.",
        subcommands = {
            ModelCheckCommand.class,
            ModelInspectCommand.class,
            ModelRandomCommand.class
        })
public final class ModelCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing sub-command");
    }
}
