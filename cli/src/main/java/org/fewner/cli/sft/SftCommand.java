package org.fewner.cli.sft;

import picocli.CommandLine.Command;

/** Instruction-tuning data tools: export. */
@Command(
        name = "sft",
        mixinStandardHelpOptions = true,
        description = "Instruction-tuning (SFT) data tools: export, fit.",
        subcommands = {SftExportCommand.class, SftFitCommand.class})
public final class SftCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing sub-command");
    }
}
