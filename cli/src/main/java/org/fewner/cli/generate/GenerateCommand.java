package org.fewner.cli.generate;

import picocli.CommandLine.Command;

/** Constrained span generation with a decoder LLM; prints the answer and spans as JSON. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Constrained span generation with a decoder LLM; prints the answer and spans as JSON.")
public final class GenerateCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'generate' is not implemented yet");
    }
}
