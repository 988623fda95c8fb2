package org.fewner.cli.model;

import picocli.CommandLine.Command;

/** Runs the masked-LM sanity check on a BERT model. */
@Command(name = "check", mixinStandardHelpOptions = true, description = "Runs the masked-LM sanity check on a BERT model.")
public final class ModelCheckCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'check' is not implemented yet");
    }
}
