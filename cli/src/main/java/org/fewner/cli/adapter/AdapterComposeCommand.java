package org.fewner.cli.adapter;

import picocli.CommandLine.Command;

/** Composes adapters with LoRAHub on a few labelled examples. */
@Command(name = "compose", mixinStandardHelpOptions = true, description = "Composes adapters with LoRAHub on a few labelled examples.")
public final class AdapterComposeCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'compose' is not implemented yet");
    }
}
