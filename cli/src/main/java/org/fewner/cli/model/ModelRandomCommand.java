package org.fewner.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fewner.cli.options.OptionChecks;
import org.fewner.cli.options.OutputDirOption;
import org.fewner.cli.options.Range;
import org.fewner.common.FewNerException;
import org.fewner.common.InputFiles;
import org.fewner.common.Json;
import org.fewner.llm.decoder.RandomModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes a random-weight model from a Hugging Face config.json. */
@Command(
        name = "random",
        mixinStandardHelpOptions = true,
        description =
                "Writes a random-weight model (config.json, F32 model.safetensors with HF names, the tokenizer.json"
                        + " found beside the config) from a Hugging Face config.json, with optional size overrides.")
public final class ModelRandomCommand implements Runnable {
    @Option(
            names = "--config",
            required = true,
            description = "HF config.json (llama, qwen2, mistral or bert).")
    Path config;

    @Option(names = "--layers", description = "num_hidden_layers")
    @Range(min = 1, max = 10000)
    Integer layers;

    @Option(names = "--hidden", description = "hidden_size")
    @Range(min = 1)
    Integer hidden;

    @Option(names = "--intermediate", description = "intermediate_size")
    @Range(min = 1)
    Integer intermediate;

    @Option(names = "--heads", description = "num_attention_heads")
    @Range(min = 1)
    Integer heads;

    @Option(names = "--kv-heads", description = "num_key_value_heads (decoders)")
    @Range(min = 1)
    Integer kvHeads;

    @Option(names = "--head-dim", description = "head_dim (decoders)")
    @Range(min = 1)
    Integer headDim;

    @Option(names = "--vocab", description = "vocab_size")
    @Range(min = 1)
    Integer vocab;

    @Option(names = "--init-std", description = "initializer_range (weight standard deviation)")
    @Range(min = 0, minExclusive = true)
    Double initStd;

    @Option(
            names = "--random-norms",
            description = "norm weights 1+N(0,0.1), biases N(0,0.1) instead of 1/0")
    boolean randomNorms;

    @Option(names = "--seed", required = true, description = "random seed")
    @Range
    long seed;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Mixin OutputDirOption output;

    @Override
    public void run() {
        JsonNode tree = Json.readTree(InputFiles.requireFile(config));
        if (!(tree instanceof ObjectNode cfg)) {
            throw new FewNerException(
                    config + ": expected a JSON object (a Hugging Face config.json)");
        }
        String[] names = {
            "--layers",
            "--hidden",
            "--intermediate",
            "--heads",
            "--kv-heads",
            "--head-dim",
            "--vocab"
        };
        Integer[] values = {layers, hidden, intermediate, heads, kvHeads, headDim, vocab};
        for (int i = 0; i < names.length; i++) {
            if (values[i] != null) {
                OptionChecks.positive(names[i], values[i]);
            }
        }
        if (initStd != null) {
            OptionChecks.positive("--init-std", initStd);
        }
        boolean hadHeadDim = cfg.has("head_dim");
        put(cfg, "num_hidden_layers", layers);
        put(cfg, "hidden_size", hidden);
        put(cfg, "intermediate_size", intermediate);
        put(cfg, "num_attention_heads", heads);
        put(cfg, "num_key_value_heads", kvHeads);
        put(cfg, "vocab_size", vocab);
        if (headDim != null) {
            cfg.put("head_dim", headDim);
        } else if (hadHeadDim
                && (hidden != null || heads != null)
                && cfg.path("num_attention_heads").asInt() > 0) {
            cfg.put(
                    "head_dim",
                    cfg.path("hidden_size").asInt() / cfg.path("num_attention_heads").asInt());
        }
        if (initStd != null) {
            cfg.put("initializer_range", initStd);
        }
        Path tok = config.toAbsolutePath().getParent().resolve("tokenizer.json");
        OutputDirOption.Result<Long> written = new OutputDirOption.Result<>();
        output.write(
                dir ->
                        written.set(
                                RandomModelWriter.write(
                                        cfg,
                                        seed,
                                        randomNorms,
                                        dir,
                                        Files.isRegularFile(tok) ? tok : null)));
        long params = written.get();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("out", out.toString());
        summary.put("model_type", cfg.path("model_type").asText());
        summary.put("params", params);
        summary.put("tokenizer", Files.isRegularFile(tok));
        System.out.println(Json.line(summary));
    }

    private static void put(ObjectNode n, String key, Integer v) {
        if (v != null) {
            if (v <= 0) {
                throw new FewNerException(key + " must be positive, got " + v);
            }
            n.put(key, v);
        }
    }
}
