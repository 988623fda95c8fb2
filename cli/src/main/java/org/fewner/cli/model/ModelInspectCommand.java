package org.fewner.cli.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fewner.cli.options.ModelOption;
import org.fewner.cli.options.Range;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.lora.AdapterRegistry;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Inspection;
import org.fewner.llm.tensors.HostTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Writes one sequence's {@code input_ids}, {@code hidden.0} … {@code hidden.L} and (when the model
 * has a head) {@code logits} to a safetensors file, the format {@code shared/reference/compare.py}
 * checks.
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "Writes the input ids, hidden states (and logits) of one text to a safetensors file:",
            "input_ids I64 [T] (special tokens included), hidden.0..hidden.L F32 [T, H], logits F32 [T, V].",
            "Check it with: python3 shared/reference/compare.py --model DIR --inspect FILE --atol 1e-4"
        })
public final class ModelInspectCommand implements Runnable {
    @Mixin ModelOption modelOption;

    @Option(
            names = "--text",
            paramLabel = "TEXT",
            description = "Text to encode with the model's tokenizer.")
    String text;

    @Option(
            names = "--ids",
            paramLabel = "ID,ID,...",
            split = ",",
            description =
                    "Token ids instead of --text (special tokens included), e.g. for models without a tokenizer.")
    @Range(min = 0)
    long[] ids;

    @Option(
            names = "--adapter",
            paramLabel = "DIR",
            description =
                    "A LoRA adapter directory (PEFT layout) to apply; the dump then holds the adapted outputs.")
    Path adapter;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE.safetensors",
            description = "Output file.")
    Path out;

    @Override
    public void run() {
        if ((text == null) == (ids == null)) {
            throw new FewNerException("give exactly one of --text TEXT or --ids ID,ID,...");
        }
        try (Backbone model = modelOption.load();
                AdapterRegistry adapters = new AdapterRegistry(model)) {
            String adapterName = null;
            if (adapter != null) {
                adapterName = "inspect";
                adapters.load(adapter, adapterName);
            }
            long[] input = ids != null ? ids : model.tokenizer().encode(text, true).ids();
            Map<String, HostTensor> written = Inspection.write(model, input, adapterName, out);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("out", out.toString());
            summary.put("tokens", input.length);
            summary.put("tensors", written.size());
            summary.put(
                    "hidden_states",
                    written.keySet().stream().filter(k -> k.startsWith("hidden.")).count());
            summary.put("logits", written.containsKey("logits"));
            System.out.println(Json.line(summary));
        }
    }

    @Override
    public String toString() {
        return "inspect " + modelOption.spec() + " " + Arrays.toString(ids);
    }
}
