package org.fewner.cli.bench;

import picocli.CommandLine.Command;

/** Encoder throughput against this machine's GEMM peak. */
@Command(name = "encoder", mixinStandardHelpOptions = true, description = "Encoder throughput against this machine's GEMM peak.")
public final class EncoderBenchCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("'encoder' is not implemented yet");
    }
}
