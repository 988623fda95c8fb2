package org.fewner.llm.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java decoder against the numpy float64 reference (shared/reference/compare.py, rtol 1e-4) on
 * small random models built from real configs. Skipped when python3+numpy or the shared folder are
 * absent.
 */
class DecoderReferenceTest {
    @TempDir Path tmp;

    private void check(Path config, String... args) {
        ReferenceModels.assumePython();
        Path model = ReferenceModels.randomModel(config, tmp.resolve("model"), args);
        System.out.println(
                "random_model.py --config " + config.getFileName() + " " + String.join(" ", args));
        try (DecoderModel m = DecoderModel.load(model, Device.cpu())) {
            long[] ids = new Random(7).longs(13, 0, m.config().vocabSize()).toArray();
            Path dump = tmp.resolve("inspect.safetensors");
            ReferenceModels.writeInspect(m, ids, dump);
            ReferenceModels.Proc p = ReferenceModels.compare(model, dump);
            System.out.println("compare.py: " + p.output().strip());
            assertEquals(0, p.exit(), "compare.py: " + p.output());
        }
    }

    /**
     * Full-size check on a model directory given with {@code -Dfewner.decoder.fullModel=DIR} (e.g.
     * the 30-layer SmolLM2-135M shape from random_model.py); skipped otherwise because the float64
     * reference takes a minute.
     */
    @Test
    void givenFullSizeModel() {
        String dir = System.getProperty("fewner.decoder.fullModel");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dir != null, "skipped: set -Dfewner.decoder.fullModel=DIR");
        ReferenceModels.assumePython();
        Path model = Path.of(dir);
        try (DecoderModel m = DecoderModel.load(model, Device.cpu())) {
            long[] ids = new Random(7).longs(32, 0, m.config().vocabSize()).toArray();
            Path dump = tmp.resolve("inspect.safetensors");
            ReferenceModels.writeInspect(m, ids, dump);
            ReferenceModels.Proc p = ReferenceModels.compare(model, dump);
            System.out.println("compare.py: " + p.output().strip());
            assertEquals(0, p.exit(), "compare.py: " + p.output());
        }
    }

    private static Path smol() {
        return ReferenceModels.shared().resolve("models/smollm2-135m-tokenizer/config.json");
    }

    private static Path config(String name) {
        return ReferenceModels.shared().resolve("models/configs/" + name);
    }

    @Test
    void smolLm2TwoLayers() {
        check(
                smol(),
                "--layers",
                "2",
                "--hidden",
                "64",
                "--intermediate",
                "96",
                "--heads",
                "4",
                "--kv-heads",
                "2",
                "--vocab",
                "500",
                "--seed",
                "1",
                "--init-std",
                "0.2",
                "--random-norms");
    }

    @Test
    void qwen2WithBiasesAndGqa() {
        check(
                config("qwen2.5-0.5b.json"),
                "--layers",
                "2",
                "--hidden",
                "64",
                "--intermediate",
                "128",
                "--heads",
                "4",
                "--kv-heads",
                "1",
                "--vocab",
                "300",
                "--seed",
                "2",
                "--init-std",
                "0.2",
                "--random-norms");
    }

    @Test
    void llama32WithLlama3RopeHeadDimAndTiedHead() {
        check(
                config("llama-3.2-1b.json"),
                "--layers",
                "2",
                "--hidden",
                "64",
                "--intermediate",
                "128",
                "--heads",
                "4",
                "--kv-heads",
                "2",
                "--head-dim",
                "24",
                "--vocab",
                "300",
                "--seed",
                "3",
                "--init-std",
                "0.2",
                "--random-norms");
    }

    @Test
    void untiedHeadBf16Sharded() {
        check(
                smol(),
                "--layers",
                "2",
                "--hidden",
                "64",
                "--intermediate",
                "96",
                "--heads",
                "4",
                "--kv-heads",
                "4",
                "--vocab",
                "400",
                "--seed",
                "4",
                "--init-std",
                "0.2",
                "--random-norms",
                "--dtype",
                "BF16",
                "--shards",
                "3",
                "--tie",
                "false");
    }

    @Test
    void mistralSlidingWindow() throws IOException {
        Path cfg =
                patched(
                        config("llama-3.2-1b.json"),
                        "mistral",
                        "MistralForCausalLM",
                        n -> {
                            n.put("sliding_window", 4);
                            n.remove("rope_scaling");
                            n.remove("head_dim");
                        });
        check(
                cfg,
                "--layers",
                "2",
                "--hidden",
                "64",
                "--intermediate",
                "128",
                "--heads",
                "4",
                "--kv-heads",
                "2",
                "--vocab",
                "300",
                "--seed",
                "5",
                "--init-std",
                "0.2",
                "--random-norms");
    }

    @Test
    void qwen2SlidingWindowOnUpperLayers() throws IOException {
        Path cfg =
                patched(
                        config("qwen2.5-0.5b.json"),
                        "qwen2",
                        "Qwen2ForCausalLM",
                        n -> {
                            n.put("use_sliding_window", true);
                            n.put("sliding_window", 3);
                            n.put("max_window_layers", 1);
                        });
        check(
                cfg,
                "--layers",
                "2",
                "--hidden",
                "64",
                "--intermediate",
                "128",
                "--heads",
                "4",
                "--kv-heads",
                "2",
                "--vocab",
                "300",
                "--seed",
                "6",
                "--init-std",
                "0.2",
                "--random-norms");
    }

    private Path patched(
            Path config, String type, String arch, java.util.function.Consumer<ObjectNode> edit)
            throws IOException {
        ObjectMapper om = Json.MAPPER;
        ObjectNode n = (ObjectNode) om.readTree(config.toFile());
        n.put("model_type", type);
        n.putArray("architectures").add(arch);
        edit.accept(n);
        Path out = tmp.resolve(type + "-config.json");
        om.writeValue(out.toFile(), n);
        return out;
    }
}
