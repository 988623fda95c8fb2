package org.fewner.cli.bench;

import picocli.CommandLine.Command;

/** Decoder prefill and decode throughput against this machine's limits. */
@Command(name = "decoder", mixinStandardHelpOptions = true, description = "Decoder prefill and decode throughput against this machine's limits.")
public final class DecoderBenchCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'decoder' is not implemented yet");
    }
}
