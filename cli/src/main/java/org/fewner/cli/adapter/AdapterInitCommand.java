package org.fewner.cli.adapter;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.cli.options.OutputDirOption;
import org.fewner.cli.options.Range;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.lora.LinearModules;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.lora.LoraConfig;
import org.fewner.llm.lora.TargetModules;
import org.fewner.llm.model.BackboneFingerprint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Writes a new LoRA adapter in PEFT's layout for a model directory. Shapes come from the model's
 * config.json and safetensors headers; no weights are loaded.
 */
@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description = {
            "Writes a new LoRA adapter in PEFT's layout (adapter_config.json + adapter_model.safetensors).",
            "A ~ U(-1/sqrt(in), 1/sqrt(in)) as PEFT; B = 0 (--init zero, the adapter changes nothing) or",
            "B ~ N(0, b-std^2) (--init random, for tests and inspection)."
        })
public final class AdapterInitCommand implements Runnable {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Base model directory (config.json + safetensors).")
    Path model;

    @Option(names = "--rank", required = true, paramLabel = "R", description = "LoRA rank r.")
    @Range(min = 1, max = 65536)
    int rank;

    @Option(
            names = "--alpha",
            required = true,
            paramLabel = "A",
            description = "lora_alpha (scale alpha/r, or alpha/sqrt(r) with --rslora).")
    @Range(min = 0, minExclusive = true)
    double alpha;

    @Option(
            names = "--targets",
            paramLabel = "a,b,...|all-linear",
            description =
                    "PEFT target_modules list (module name or '.'-suffix, e.g. q_proj,v_proj or query,value), or all-linear.")
    String targets;

    @Option(
            names = "--target-regex",
            paramLabel = "REGEX",
            description =
                    "PEFT's string form instead of --targets: full-match regex on module names.")
    String targetRegex;

    @Option(
            names = "--layers-to-transform",
            split = ",",
            paramLabel = "i,j,...",
            description = "Limit list targets to these layer indexes.")
    @Range(min = 0)
    List<Integer> layersToTransform;

    @Option(names = "--seed", required = true, paramLabel = "S", description = "Random seed.")
    @Range
    long seed;

    @Option(
            names = "--init",
            defaultValue = "zero",
            paramLabel = "zero|random",
            description = "B = 0 (default) or random.")
    String init;

    @Option(
            names = "--b-std",
            defaultValue = "0.02",
            paramLabel = "STD",
            description = "Standard deviation of B with --init random (default 0.02).")
    @Range(min = 0)
    double bStd;

    @Option(
            names = "--dropout",
            defaultValue = "0",
            paramLabel = "P",
            description = "lora_dropout (training only).")
    @Range(min = 0, max = 1, maxExclusive = true)
    double dropout;

    @Option(names = "--rslora", description = "rank-stabilised LoRA: scale alpha/sqrt(r).")
    boolean rslora;

    @Option(
            names = "--task-type",
            paramLabel = "TYPE",
            description =
                    "PEFT task_type (default CAUSAL_LM for decoders, FEATURE_EXTRACTION for BERT).")
    String taskType;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Adapter directory to write.")
    Path out;

    @Mixin OutputDirOption output;

    @Override
    public void run() {
        if ((targets == null) == (targetRegex == null)) {
            throw new FewNerException(
                    "give exactly one of --targets a,b,... (or all-linear) and --target-regex REGEX");
        }
        LoraAdapter.Init mode =
                switch (init) {
                    case "zero" -> LoraAdapter.Init.ZERO;
                    case "random" -> LoraAdapter.Init.RANDOM;
                    default ->
                            throw new FewNerException(
                                    "--init: expected zero or random, got '" + init + "'");
                };
        if (rank <= 0) {
            throw new FewNerException("--rank: expected a positive integer, got " + rank);
        }
        TargetModules tm =
                targetRegex != null
                        ? new TargetModules.Regex(targetRegex)
                        : targets.equals(TargetModules.ALL_LINEAR)
                                ? new TargetModules.AllLinear()
                                : new TargetModules.Names(
                                        Arrays.stream(targets.split(","))
                                                .map(String::trim)
                                                .filter(s -> !s.isEmpty())
                                                .toList());
        LinearModules base = LinearModules.of(model);
        String task =
                taskType != null
                        ? taskType
                        : base.config() instanceof BertConfig ? "FEATURE_EXTRACTION" : "CAUSAL_LM";
        LoraConfig config =
                new LoraConfig(
                        rank,
                        alpha,
                        dropout,
                        tm,
                        rslora,
                        layersToTransform,
                        null,
                        null,
                        null,
                        null,
                        model.toAbsolutePath().normalize().getFileName().toString(),
                        task,
                        false,
                        null);
        LoraAdapter adapter =
                LoraAdapter.init(base, config, seed, mode, bStd)
                        .withBackbone(
                                BackboneFingerprint.of(
                                        model,
                                        model.toAbsolutePath()
                                                .normalize()
                                                .getFileName()
                                                .toString()));
        output.write(adapter::write);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("out", out.toString());
        summary.put("lora_modules", adapter.modules().size());
        summary.put("parameters", AdapterJson.parameters(adapter));
        System.out.println(Json.line(summary));
    }
}
