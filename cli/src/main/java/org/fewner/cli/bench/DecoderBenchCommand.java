package org.fewner.cli.bench;

import java.nio.file.Path;
import org.fewner.cli.options.ModelOption;
import org.fewner.cli.options.OptionChecks;
import org.fewner.cli.options.Range;
import org.fewner.common.AtomicFiles;
import org.fewner.common.Json;
import org.fewner.llm.bench.DecoderBench;
import org.fewner.llm.decoder.DecoderModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Decoder prefill and decode throughput against this machine's limits. */
@Command(
        name = "decoder",
        mixinStandardHelpOptions = true,
        description =
                "Decoder prefill (B 1/8 x T 64/256) and decode (B 1/8) throughput against the GEMM peak and the"
                        + " weight-streaming bound measured in the same run; writes JSON and Markdown.")
public final class DecoderBenchCommand implements Runnable {
    /** {@code --model} (a decoder model directory) and {@code --device}. */
    @Mixin ModelOption modelOption;

    @Option(names = "--out", description = "directory for decoder-bench.json and decoder-bench.md")
    Path out;

    @Option(
            names = "--repeats",
            defaultValue = "3",
            description = "timed runs per figure, best kept (default ${DEFAULT-VALUE})")
    @Range(min = 1)
    int repeats;

    @Override
    public void run() {
        OptionChecks.positive("--repeats", repeats);
        DecoderBench.Report r;
        try (DecoderModel m = modelOption.loadDecoder("bench decoder")) {
            r = DecoderBench.run(m, modelOption.spec(), repeats);
        }
        String cmd =
                "./fewner bench decoder --model "
                        + modelOption.spec()
                        + (out == null ? "" : " --out " + out)
                        + " --repeats "
                        + repeats;
        String md = DecoderBench.markdown(r, cmd);
        System.out.println(md);
        if (out != null) {
            AtomicFiles.writeString(out.resolve("decoder-bench.md"), md);
            Json.writeAtomically(out.resolve("decoder-bench.json"), r);
        }
    }
}
