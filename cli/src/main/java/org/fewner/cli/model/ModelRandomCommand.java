package org.fewner.cli.model;

import picocli.CommandLine.Command;

/** Writes a random-weight model from a Hugging Face config.json. */
@Command(name = "random", mixinStandardHelpOptions = true, description = "Writes a random-weight model from a Hugging Face config.json.")
public final class ModelRandomCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'random' is not implemented yet");
    }
}
