package org.fewner.llm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;

/**
 * The tensors of one sequence as {@code fewner model inspect} writes them (the format {@code
 * shared/reference/compare.py} reads): {@code input_ids} I64 [T], {@code hidden.0} … {@code
 * hidden.L} F32 [T, H], and {@code logits} F32 [T, V] when the model has a head.
 */
public final class Inspection {
    private Inspection() {}

    /**
     * Runs {@code ids} (special tokens included, no padding) through {@code model}; base model
     * unless {@code adapter}.
     */
    public static Map<String, HostTensor> run(Backbone model, long[] ids, String adapter) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("input_ids", HostTensor.ofLongs(new long[] {ids.length}, ids.clone()));
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(mask, 1);
        try (NDManager call = model.manager().newSubManager()) {
            BackboneOutput o =
                    model.forward(call, new long[][] {ids}, new long[][] {mask}, adapter);
            for (int i = 0; i < o.hiddenStates().size(); i++) {
                out.put("hidden." + i, FiniteOutputs.require("hidden." + i, row(o.hidden(i))));
            }
            if (o.logits() != null) {
                out.put("logits", FiniteOutputs.require("logits", row(o.logits())));
            }
        }
        return out;
    }

    /** [1, T, X] → host [T, X]. */
    private static HostTensor row(NDArray a) {
        return HostTensor.of(a.get(0));
    }

    /** {@link #run} and write the result to {@code file} (safetensors, atomically). */
    public static Map<String, HostTensor> write(
            Backbone model, long[] ids, String adapter, Path file) {
        Map<String, HostTensor> t = run(model, ids, adapter);
        SafeTensors.write(file, t, Map.of("format", "pt"));
        return t;
    }
}
