package org.fewner.cli.adapter;

import picocli.CommandLine.Command;

/** Writes a new LoRA adapter in PEFT's layout. */
@Command(name = "init", mixinStandardHelpOptions = true, description = "Writes a new LoRA adapter in PEFT's layout.")
public final class AdapterInitCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'init' is not implemented yet");
    }
}
