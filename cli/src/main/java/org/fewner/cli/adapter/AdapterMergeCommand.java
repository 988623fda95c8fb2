package org.fewner.cli.adapter;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.cli.options.OutputDirOption;
import org.fewner.common.Json;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.lora.MergedModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes a model with an adapter merged into its weights. */
@Command(
        name = "merge",
        mixinStandardHelpOptions = true,
        description = {
            "Writes a model with an adapter merged into its weights: W + scale*B*A per adapted layer",
            "(double precision, written as F32), config.json, one model.safetensors, tokenizer and other files copied.",
            "A LoRA on a tied output layer unties it (tie_word_embeddings=false) so the embeddings stay unchanged."
        })
public final class AdapterMergeCommand implements Runnable {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Base model directory.")
    Path model;

    @Option(
            names = "--adapter",
            required = true,
            paramLabel = "DIR",
            description = "Adapter directory (PEFT layout).")
    Path adapter;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Directory for the merged model.")
    Path out;

    @Mixin OutputDirOption output;

    @Override
    public void run() {
        LoraAdapter read = LoraAdapter.read(adapter);
        OutputDirOption.Result<List<String>> merged = new OutputDirOption.Result<>();
        output.write(dir -> merged.set(MergedModelWriter.write(model, read, dir)));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("out", out.toString());
        summary.put("merged_weights", merged.get().size());
        System.out.println(Json.line(summary));
    }
}
