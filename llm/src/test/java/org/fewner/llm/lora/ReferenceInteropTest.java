package org.fewner.llm.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapters written by shared/reference/random_adapter.py (PEFT's layout) load here and, merged by
 * {@link MergedModelWriter}, give the reference's own LoRA outputs; adapters written here load in
 * the reference.
 */
class ReferenceInteropTest {

    /**
     * Reads a reference adapter, checks module count and scales, merges it and compares with the
     * reference.
     */
    private static Map<String, LoraAdapter.Bound> roundTrip(
            Path model, Path adapterDir, Path work, int expectedModules, double expectedScale) {
        LoraAdapter a = LoraAdapter.read(adapterDir);
        Map<String, LoraAdapter.Bound> bound = a.bind(LinearModules.of(model));
        assertEquals(expectedModules, bound.size(), "bound modules: " + bound.keySet());
        if (!Double.isNaN(expectedScale)) {
            bound.values().forEach(b -> assertEquals(expectedScale, b.scale(), 1e-6, b.layer()));
        }
        // a new directory per call: the writer refuses to write into an existing one
        Path merged = work.resolve("merged-" + adapterDir.getFileName() + "-" + System.nanoTime());
        MergedModelWriter.write(model, a, merged);
        double rel =
                ReferenceTools.number(
                        ReferenceTools.check(
                                "merged",
                                model.toString(),
                                adapterDir.toString(),
                                merged.toString()),
                        "max_rel");
        System.out.printf(
                "reference adapter %s: %d modules, merged vs reference LoRA max_rel %.2e%n",
                adapterDir.getFileName(), bound.size(), rel);
        assertTrue(rel < 1e-5, "merged model vs reference LoRA: max_rel " + rel);
        return bound;
    }

    private static Path refAdapter(Path model, Path out, String... args) {
        List<String> a =
                new java.util.ArrayList<>(
                        List.of(
                                "--model",
                                model.toString(),
                                "--r",
                                "4",
                                "--alpha",
                                "8",
                                "--seed",
                                "2",
                                "--b-std",
                                "0.2",
                                "--out",
                                out.toString()));
        a.addAll(List.of(args));
        ReferenceTools.run("random_adapter.py", a.toArray(String[]::new));
        return out;
    }

    @Test
    void decoderAdaptersFromTheReferenceLoadAndMatch(@TempDir Path tmp) {
        Path model =
                ReferenceTools.randomModel(
                        tmp.resolve("llama"),
                        "llama-3.2-1b.json",
                        "--kv-heads",
                        "2",
                        "--tie",
                        "false");
        roundTrip(
                model,
                refAdapter(model, tmp.resolve("qv"), "--targets", "q_proj,v_proj"),
                tmp,
                4,
                2.0);
        roundTrip(
                model,
                refAdapter(
                        model, tmp.resolve("rslora"), "--targets", "q_proj,v_proj", "--use-rslora"),
                tmp,
                4,
                4.0);
        Map<String, LoraAdapter.Bound> regex =
                roundTrip(
                        model,
                        refAdapter(
                                model,
                                tmp.resolve("regex"),
                                "--target-regex",
                                "model\\.layers\\.1\\.(self_attn\\.(k|o)_proj|mlp\\.down_proj)"),
                        tmp,
                        3,
                        2.0);
        assertTrue(
                regex.keySet().stream().allMatch(k -> k.startsWith("model.layers.1.")),
                regex.keySet().toString());
        Map<String, LoraAdapter.Bound> l1 =
                roundTrip(
                        model,
                        refAdapter(
                                model,
                                tmp.resolve("layer1"),
                                "--targets",
                                "q_proj,up_proj,down_proj",
                                "--layers-to-transform",
                                "1"),
                        tmp,
                        3,
                        2.0);
        assertTrue(
                l1.keySet().stream().allMatch(k -> k.startsWith("model.layers.1.")),
                l1.keySet().toString());
        roundTrip(
                model,
                refAdapter(
                        model,
                        tmp.resolve("bf16"),
                        "--targets",
                        "q_proj,v_proj",
                        "--dtype",
                        "BF16"),
                tmp,
                4,
                2.0);
        roundTrip(
                model,
                refAdapter(model, tmp.resolve("alllinear"), "--targets", "all-linear"),
                tmp,
                14,
                2.0);
    }

    @Test
    void tiedLmHeadLoraDoesNotTouchTheEmbeddings(@TempDir Path tmp) {
        Path model =
                ReferenceTools.randomModel(
                        tmp.resolve("smol"),
                        "llama-3.2-1b.json",
                        "--kv-heads",
                        "2",
                        "--tie",
                        "true");
        roundTrip(
                model,
                refAdapter(model, tmp.resolve("head"), "--targets", "lm_head,q_proj"),
                tmp,
                3,
                2.0);
    }

    @Test
    void bertAdaptersWorkAcrossPrefixStyles(@TempDir Path tmp) {
        Path mlm = ReferenceTools.randomModel(tmp.resolve("bert-mlm"), "bert-base-cased.json");
        Path base =
                ReferenceTools.randomModel(
                        tmp.resolve("bert-base"), "bert-base-cased.json", "--bert-naming", "base");
        Path forMlm =
                refAdapter(
                        mlm,
                        tmp.resolve("mlm-adapter"),
                        "--targets",
                        "query,value,attention.output.dense,intermediate.dense");
        Map<String, LoraAdapter.Bound> b = roundTrip(mlm, forMlm, tmp, 8, 2.0);
        assertTrue(
                b.containsKey("bert.encoder.layer.0.attention.self.query"), b.keySet().toString());
        assertTrue(
                LoraAdapter.read(forMlm)
                        .modules()
                        .containsKey("bert.encoder.layer.0.attention.self.query"));
        // an adapter saved for BertForMaskedLM fits a BertModel checkpoint and the other way round
        roundTrip(base, forMlm, tmp, 8, 2.0);
        Path forBase =
                refAdapter(
                        base, tmp.resolve("base-adapter"), "--targets", "query,key,output.dense");
        assertTrue(
                LoraAdapter.read(forBase)
                        .modules()
                        .containsKey("encoder.layer.1.attention.self.key"));
        // "output.dense" matches attention.output.dense and output.dense (suffix on
        // '.'-boundaries): 3 per layer
        roundTrip(mlm, forBase, tmp, 8, 2.0);
    }

    @Test
    void ourAdaptersLoadInTheReference(@TempDir Path tmp) {
        Path model =
                ReferenceTools.randomModel(
                        tmp.resolve("qwen"), "qwen2.5-0.5b.json", "--kv-heads", "2");
        LoraConfig cfg =
                new LoraConfig(
                        4,
                        16,
                        0.05,
                        new TargetModules.AllLinear(),
                        true,
                        null,
                        null,
                        null,
                        Map.of("down_proj", 2),
                        Map.of("v_proj", 4.0),
                        "qwen-random",
                        "CAUSAL_LM",
                        false,
                        null);
        LoraAdapter ours =
                LoraAdapter.init(LinearModules.of(model), cfg, 9, LoraAdapter.Init.RANDOM, 0.2);
        Path dir = tmp.resolve("ours");
        ours.write(dir);
        double change =
                ReferenceTools.number(
                        ReferenceTools.check("load", model.toString(), dir.toString()),
                        "max_change");
        assertTrue(change > 1e-3, "our adapter must change the reference's outputs: " + change);
        LoraAdapter back = LoraAdapter.read(dir);
        assertEquals(2, back.modules().get("model.layers.0.mlp.down_proj").r());
        assertEquals(
                4.0 / Math.sqrt(4),
                back.config().scaleOf("model.layers.0.self_attn.v_proj"),
                1e-12);
        Map<String, LoraAdapter.Bound> b = roundTrip(model, dir, tmp, 14, Double.NaN);
        assertEquals(
                16 / Math.sqrt(2),
                b.get("model.layers.0.mlp.down_proj").scale(),
                1e-5); // rank_pattern + rsLoRA
        assertEquals(
                4 / Math.sqrt(4),
                b.get("model.layers.1.self_attn.v_proj").scale(),
                1e-6); // alpha_pattern
        assertEquals(16 / Math.sqrt(4), b.get("model.layers.1.self_attn.q_proj").scale(), 1e-6);
    }

    @Test
    void zeroBAdapterMergesToTheBaseWeightsExactly(@TempDir Path tmp) {
        Path model =
                ReferenceTools.randomModel(
                        tmp.resolve("llama"),
                        "llama-3.2-1b.json",
                        "--kv-heads",
                        "2",
                        "--tie",
                        "false");
        Path zero =
                refAdapter(
                        model, tmp.resolve("zero"), "--targets", "all-linear", "--init", "zero-b");
        Path merged = tmp.resolve("merged");
        MergedModelWriter.write(model, LoraAdapter.read(zero), merged);
        var before = org.fewner.llm.tensors.SafeTensors.readAll(model.resolve("model.safetensors"));
        var after = org.fewner.llm.tensors.SafeTensors.readAll(merged.resolve("model.safetensors"));
        assertEquals(before.keySet(), after.keySet());
        before.forEach(
                (k, v) ->
                        org.junit.jupiter.api.Assertions.assertArrayEquals(
                                v.toFloats(), after.get(k).toFloats(), k));
        assertThrows(
                FewNerException.class,
                () -> MergedModelWriter.write(model, LoraAdapter.read(zero), model));
    }
}
