package org.fewner.cli.adapter;

import picocli.CommandLine.Command;

/** Prints an adapter's config and tensor shapes as JSON. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Prints an adapter's config and tensor shapes as JSON.")
public final class AdapterInfoCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'info' is not implemented yet");
    }
}
