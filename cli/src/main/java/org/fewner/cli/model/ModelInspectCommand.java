package org.fewner.cli.model;

import picocli.CommandLine.Command;

/** Writes the input ids, hidden states (and logits) of one text to a safetensors file. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Writes the input ids, hidden states (and logits) of one text to a safetensors file.")
public final class ModelInspectCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'inspect' is not implemented yet");
    }
}
