package org.fewner.cli.adapter;

import picocli.CommandLine.Command;

/** LoRA adapter tools: init, info, merge, compose. */
@Command(
        name = "adapter",
        mixinStandardHelpOptions = true,
        description = "LoRA adapter tools: init, info, merge, compose.",
        subcommands = {
            AdapterInitCommand.class,
            AdapterInfoCommand.class,
            AdapterMergeCommand.class,
            AdapterComposeCommand.class
        })
public final class AdapterCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing sub-command");
    }
}
