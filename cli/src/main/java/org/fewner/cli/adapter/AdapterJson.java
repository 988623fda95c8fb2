package org.fewner.cli.adapter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.fewner.common.Json;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.tensors.HostTensor;

/** JSON output of the adapter commands. */
final class AdapterJson {
    static final ObjectMapper JSON = Json.MAPPER;

    private AdapterJson() {}

    /** Trainable LoRA parameters (A and B elements). */
    static long parameters(LoraAdapter a) {
        long n = 0;
        for (LoraAdapter.Module m : a.modules().values()) {
            n += (long) m.a().length + m.b().length;
        }
        return n;
    }

    /**
     * {config, modules: {name: {lora_A, lora_B, scale}}, heads: {name: {dtype, shape}},
     * lora_modules, parameters}.
     */
    static ObjectNode describe(LoraAdapter a) {
        ObjectNode o = JSON.createObjectNode();
        o.set("config", a.config().toJson());
        ObjectNode mods = o.putObject("modules");
        for (Map.Entry<String, LoraAdapter.Module> e : a.modules().entrySet()) {
            LoraAdapter.Module m = e.getValue();
            ObjectNode x = mods.putObject(e.getKey());
            x.putArray("lora_A").add(m.r()).add(m.in());
            x.putArray("lora_B").add(m.out()).add(m.r());
            x.put("scale", a.config().scaleOf(e.getKey()));
            double maxB = 0;
            for (float v : m.b()) {
                maxB = Math.max(maxB, Math.abs(v));
            }
            x.put("max_abs_B", maxB);
        }
        ObjectNode heads = o.putObject("heads");
        for (Map.Entry<String, HostTensor> e : a.heads().entrySet()) {
            ObjectNode h = heads.putObject(e.getKey());
            h.put("dtype", e.getValue().dtype().name());
            var shape = h.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
        }
        o.put("lora_modules", a.modules().size());
        o.put("parameters", parameters(a));
        return o;
    }
}
