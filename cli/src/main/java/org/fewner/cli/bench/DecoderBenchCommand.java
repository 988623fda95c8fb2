package org.fewner.cli.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.cli.UserFacingException;
import org.fewner.llm.config.ConfigException;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.decoder.bench.DecoderBench;
import org.fewner.llm.tensors.TensorFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Decoder prefill and decode throughput against this machine's limits. */
@Command(
        name = "decoder",
        mixinStandardHelpOptions = true,
        description =
                "Decoder prefill (B 1/8 x T 64/256) and decode (B 1/8) throughput against the GEMM peak and the"
                        + " weight-streaming bound measured in the same run; writes JSON and Markdown.")
public final class DecoderBenchCommand implements Runnable {
    @Option(names = "--model", required = true, description = "decoder model directory")
    Path model;

    @Option(names = "--out", description = "directory for decoder-bench.json and decoder-bench.md")
    Path out;

    @Option(
            names = "--repeats",
            defaultValue = "3",
            description = "timed runs per figure, best kept (default ${DEFAULT-VALUE})")
    int repeats;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            paramLabel = "cpu|gpu[:N]",
            description =
                    "Where the weights live and the benchmark runs. Default: ${DEFAULT-VALUE}.")
    String device;

    @Override
    public void run() {
        DecoderBench.Report r;
        Device dev;
        try {
            dev = org.fewner.llm.device.DeviceSpec.parse(device);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        try (DecoderModel m = DecoderModel.load(model, dev)) {
            r = DecoderBench.run(m, model.toString(), repeats);
        } catch (ConfigException | TensorFileException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        String cmd =
                "./fewner bench decoder --model "
                        + model
                        + (out == null ? "" : " --out " + out)
                        + " --repeats "
                        + repeats;
        String md = DecoderBench.markdown(r, cmd);
        System.out.println(md);
        if (out != null) {
            try {
                Files.createDirectories(out);
                Files.writeString(out.resolve("decoder-bench.md"), md);
                new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValue(out.resolve("decoder-bench.json").toFile(), r);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        out + ": cannot write results: " + e.getMessage(), e);
            }
        }
    }
}
