package org.fewner.cli.adapter;

import picocli.CommandLine.Command;

/** Writes a model with an adapter merged into its weights. */
@Command(name = "merge", mixinStandardHelpOptions = true, description = "Writes a model with an adapter merged into its weights.")
public final class AdapterMergeCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'merge' is not implemented yet");
    }
}
