package org.fewner.cli.adapter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.fewner.llm.lora.LinearModules;
import org.fewner.llm.lora.LoraAdapter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Prints an adapter's config and tensor shapes as JSON; with --model also checks that it fits that
 * base.
 */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = {
            "Prints an adapter's config and tensor shapes as JSON.",
            "With --model DIR it also checks the adapter against that base (modules, shapes, target_modules)."
        })
public final class AdapterInfoCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "DIR", description = "Adapter directory.")
    Path dir;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "Base model directory to check the adapter against.")
    Path model;

    @Override
    public void run() {
        LoraAdapter a = LoraAdapter.read(dir);
        ObjectNode o = AdapterJson.describe(a);
        if (model != null) {
            var bound = a.bind(LinearModules.of(model));
            ObjectNode fit = o.putObject("fits_model");
            fit.put("model", model.toString());
            fit.put("bound_layers", bound.size());
        }
        try {
            System.out.println(AdapterJson.JSON.writeValueAsString(o));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
