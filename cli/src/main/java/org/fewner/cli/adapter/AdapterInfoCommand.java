package org.fewner.cli.adapter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.fewner.common.FewNerException;
import org.fewner.llm.lora.LinearModules;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
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
            "Prints an adapter's config and tensor shapes as JSON; a tensor holding NaN or an infinity is listed"
                    + " under non_finite_tensors and ends the command with an error (exit 2).",
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
        String bad = nonFinite(o);
        try {
            System.out.println(AdapterJson.JSON.writeValueAsString(o));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        if (bad != null) {
            throw new FewNerException(bad);
        }
    }

    /**
     * Scans every tensor of the adapter's weights and heads files for NaN or infinities (a training
     * that diverged wrote such heads, which recognise nothing): records {@code "finite"} and the
     * offending tensors in {@code o}; returns the first one as a message, or null when all are
     * finite.
     */
    private String nonFinite(ObjectNode o) {
        String first = null;
        var list = o.putArray("non_finite_tensors");
        for (String name : java.util.List.of(LoraAdapter.WEIGHTS_FILE, LoraAdapter.HEADS_FILE)) {
            Path f = dir.resolve(name);
            if (!java.nio.file.Files.isRegularFile(f)) {
                continue;
            }
            for (var e : new java.util.TreeMap<>(SafeTensors.readAll(f)).entrySet()) {
                HostTensor t = e.getValue();
                if (!t.dtype().isFloating()) {
                    continue;
                }
                long i = t.firstNonFinite();
                if (i >= 0) {
                    list.addObject()
                            .put("file", name)
                            .put("tensor", e.getKey())
                            .put("element", i)
                            .put("value", Float.toString(t.floatAt(i)));
                    if (first == null) {
                        first =
                                f
                                        + ": tensor "
                                        + FewNerException.quote(e.getKey())
                                        + " holds "
                                        + t.floatAt(i)
                                        + " at element "
                                        + i
                                        + " (the adapter recognises nothing; a training that"
                                        + " diverged? retrain it, e.g. with a lower --lr)";
                    }
                }
            }
        }
        o.put("finite", first == null);
        return first;
    }
}
