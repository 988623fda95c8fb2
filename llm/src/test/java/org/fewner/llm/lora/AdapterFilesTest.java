package org.fewner.llm.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.fewner.common.Json;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PEFT file format: round trip, initialisation, and every refusal with its message. */
class AdapterFilesTest {
    static TinyBackbone bb;
    static LinearModules base;

    @BeforeAll
    static void open() {
        bb = new TinyBackbone(1);
        base = LinearModules.of(bb);
    }

    @AfterAll
    static void close() {
        bb.close();
    }

    private static final ObjectMapper JSON = Json.MAPPER;

    static LoraAdapter fresh() {
        return LoraAdapter.init(
                base,
                LoraConfig.of(4, 8, 0, List.of("q_proj", "v_proj"), false),
                7,
                LoraAdapter.Init.RANDOM,
                0.1);
    }

    /**
     * Writes a valid adapter, lets {@code edit} change its config JSON / tensors, and returns the
     * error of loading it.
     */
    static String refusal(
            Path dir,
            Consumer<ObjectNode> editConfig,
            Consumer<Map<String, HostTensor>> editTensors)
            throws Exception {
        fresh().write(dir);
        ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve(LoraConfig.FILE).toFile());
        editConfig.accept(cfg);
        Files.writeString(dir.resolve(LoraConfig.FILE), cfg.toString());
        Map<String, HostTensor> t =
                new TreeMap<>(SafeTensors.readAll(dir.resolve(LoraAdapter.WEIGHTS_FILE)));
        editTensors.accept(t);
        SafeTensors.write(dir.resolve(LoraAdapter.WEIGHTS_FILE), t, Map.of("format", "pt"));
        AdapterException e =
                assertThrows(AdapterException.class, () -> LoraAdapter.read(dir).bind(base));
        return e.getMessage();
    }

    static final String Q0 = LoraAdapter.PREFIX + "model.layers.0.self_attn.q_proj";

    @Test
    void writeReplacesAnAdapterWholeButRefusesOtherDirectories(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("ckpt");
        LoraAdapter a = fresh();
        a.write(dir);
        java.nio.file.Files.writeString(dir.resolve("stale.txt"), "from an older checkpoint");
        a.write(dir); // a checkpoint written again replaces the directory whole
        assertTrue(java.nio.file.Files.notExists(dir.resolve("stale.txt")));
        assertEquals(a.modules().keySet(), LoraAdapter.read(dir).modules().keySet());
        Path other = java.nio.file.Files.createDirectories(tmp.resolve("notes"));
        java.nio.file.Files.writeString(other.resolve("mine.txt"), "user file");
        org.fewner.common.FewNerException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        org.fewner.common.FewNerException.class, () -> a.write(other));
        assertTrue(e.getMessage().contains("already exists and is not empty"), e.getMessage());
        assertTrue(java.nio.file.Files.exists(other.resolve("mine.txt")));
    }

    @Test
    void roundTripKeepsEverythingAndWritesPeftFields(@TempDir Path tmp) throws Exception {
        LoraAdapter a =
                fresh().withHeads(
                                Map.of(
                                        "span.weight",
                                        HostTensor.ofFloats(
                                                new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})),
                                Map.of("span.weight", "span-detection head [2, H]"));
        a.write(tmp);
        LoraAdapter b = LoraAdapter.read(tmp);
        assertEquals(a.modules().keySet(), b.modules().keySet());
        a.modules()
                .forEach(
                        (k, m) -> {
                            assertArrayEquals(m.a(), b.modules().get(k).a());
                            assertArrayEquals(m.b(), b.modules().get(k).b());
                        });
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, b.heads().get("span.weight").toFloats());
        var json = JSON.readTree(tmp.resolve(LoraConfig.FILE).toFile());
        for (String f :
                List.of(
                        "peft_type",
                        "r",
                        "lora_alpha",
                        "lora_dropout",
                        "target_modules",
                        "use_rslora",
                        "base_model_name_or_path",
                        "task_type",
                        "bias",
                        "fan_in_fan_out",
                        "inference_mode",
                        "init_lora_weights",
                        "layers_to_transform",
                        "rank_pattern",
                        "alpha_pattern",
                        "modules_to_save",
                        "fewner_heads",
                        "fewner_base")) {
            assertTrue(json.has(f), "adapter_config.json lacks " + f);
        }
        assertEquals("LORA", json.get("peft_type").asText());
        assertEquals("none", json.get("bias").asText());
        assertTrue(json.get("modules_to_save").isNull());
        assertEquals(8, json.get("lora_alpha").asInt());
        assertEquals(
                List.of("q_proj", "v_proj"),
                List.of(
                        json.get("target_modules").get(0).asText(),
                        json.get("target_modules").get(1).asText()));
        var names = SafeTensors.readAll(tmp.resolve(LoraAdapter.WEIGHTS_FILE)).keySet();
        assertTrue(
                names.contains("base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight"),
                names.toString());
        assertTrue(
                names.contains("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"),
                names.toString());
        assertEquals(8, names.size());
        assertEquals(
                b.config().toJson(),
                LoraConfig.parse(tmp, b.config().toJson()).toJson(),
                "config round trip");
    }

    @Test
    void initFollowsPeft() {
        LoraAdapter z =
                LoraAdapter.init(
                        base,
                        LoraConfig.of(4, 8, 0, List.of("up_proj"), false),
                        1,
                        LoraAdapter.Init.ZERO,
                        0);
        LoraAdapter.Module m = z.modules().get("model.layers.0.mlp.up_proj");
        assertEquals(4, m.r());
        assertEquals(TinyBackbone.HIDDEN, m.in());
        double bound = 1 / Math.sqrt(TinyBackbone.HIDDEN);
        double maxA = 0;
        for (float x : m.a()) {
            maxA = Math.max(maxA, Math.abs(x));
        }
        assertTrue(
                maxA <= bound && maxA > 0.8 * bound,
                "A ~ U(-1/sqrt(in), 1/sqrt(in)): max |A| = " + maxA);
        for (float x : m.b()) {
            assertEquals(0f, x);
        }
        LoraAdapter same =
                LoraAdapter.init(
                        base,
                        LoraConfig.of(4, 8, 0, List.of("up_proj"), false),
                        1,
                        LoraAdapter.Init.ZERO,
                        0);
        assertArrayEquals(
                m.a(),
                same.modules().get("model.layers.0.mlp.up_proj").a(),
                "same seed, same adapter");
        AdapterException e =
                assertThrows(
                        AdapterException.class,
                        () ->
                                LoraAdapter.init(
                                        base,
                                        LoraConfig.of(4, 8, 0, List.of("proj"), false),
                                        1,
                                        LoraAdapter.Init.ZERO,
                                        0));
        assertTrue(e.getMessage().contains("select no linear layer"), e.getMessage());
    }

    @Test
    void refusesUnsupportedPeftFeatures(@TempDir Path tmp) throws Exception {
        assertTrue(
                refusal(tmp.resolve("dora"), c -> c.put("use_dora", true), t -> {})
                        .contains("DoRA"));
        assertTrue(
                refusal(tmp.resolve("fifo"), c -> c.put("fan_in_fan_out", true), t -> {})
                        .contains("fan_in_fan_out"));
        assertTrue(
                refusal(tmp.resolve("lbias"), c -> c.put("lora_bias", true), t -> {})
                        .contains("lora_bias"));
        assertTrue(
                refusal(tmp.resolve("bias"), c -> c.put("bias", "all"), t -> {})
                        .contains("bias 'all'"));
        assertTrue(
                refusal(tmp.resolve("ia3"), c -> c.put("peft_type", "IA3"), t -> {})
                        .contains("peft_type 'IA3'"));
        assertTrue(
                refusal(
                                tmp.resolve("mts"),
                                c -> c.putArray("modules_to_save").add("classifier"),
                                t -> {})
                        .contains("modules_to_save"));
        String emb =
                refusal(
                        tmp.resolve("emb"),
                        c -> {},
                        t ->
                                t.put(
                                        LoraAdapter.PREFIX + "model.embed_tokens.lora_embedding_A",
                                        HostTensor.ofFloats(new long[] {4, 32}, new float[128])));
        assertTrue(emb.contains("embedding LoRA is not supported"), emb);
        String emb2 =
                refusal(
                        tmp.resolve("emb2"),
                        c ->
                                c.putArray("target_modules")
                                        .add("q_proj")
                                        .add("v_proj")
                                        .add("embed_tokens"),
                        t -> {
                            t.put(
                                    LoraAdapter.PREFIX + "model.embed_tokens.lora_A.weight",
                                    HostTensor.ofFloats(new long[] {4, 32}, new float[128]));
                            t.put(
                                    LoraAdapter.PREFIX + "model.embed_tokens.lora_B.weight",
                                    HostTensor.ofFloats(new long[] {16, 4}, new float[64]));
                        });
        assertTrue(emb2.contains("embedding LoRA is not supported"), emb2);
        String dora =
                refusal(
                        tmp.resolve("magn"),
                        c -> {},
                        t ->
                                t.put(
                                        Q0 + ".lora_magnitude_vector",
                                        HostTensor.ofFloats(new long[] {16}, new float[16])));
        assertTrue(dora.contains("DoRA"), dora);
    }

    @Test
    void refusesUnknownOrUnselectedModulesAndWrongShapes(@TempDir Path tmp) throws Exception {
        String unknown =
                refusal(
                        tmp.resolve("unknown"),
                        c -> {},
                        t -> {
                            t.put(
                                    LoraAdapter.PREFIX
                                            + "model.layers.7.self_attn.q_proj.lora_A.weight",
                                    HostTensor.ofFloats(new long[] {4, 16}, new float[64]));
                            t.put(
                                    LoraAdapter.PREFIX
                                            + "model.layers.7.self_attn.q_proj.lora_B.weight",
                                    HostTensor.ofFloats(new long[] {16, 4}, new float[64]));
                        });
        assertTrue(
                unknown.contains("model.layers.7.self_attn.q_proj")
                        && unknown.contains("not a linear layer"),
                unknown);
        String unselected =
                refusal(
                        tmp.resolve("unsel"),
                        c -> {},
                        t -> {
                            t.put(
                                    LoraAdapter.PREFIX
                                            + "model.layers.0.self_attn.k_proj.lora_A.weight",
                                    HostTensor.ofFloats(new long[] {4, 16}, new float[64]));
                            t.put(
                                    LoraAdapter.PREFIX
                                            + "model.layers.0.self_attn.k_proj.lora_B.weight",
                                    HostTensor.ofFloats(new long[] {16, 4}, new float[64]));
                        });
        assertTrue(
                unselected.contains("target_modules") && unselected.contains("does not select"),
                unselected);
        String shape =
                refusal(
                        tmp.resolve("shape"),
                        c -> {},
                        t -> {
                            t.put(
                                    Q0 + ".lora_A.weight",
                                    HostTensor.ofFloats(new long[] {4, 20}, new float[80]));
                        });
        assertTrue(shape.contains("do not fit the base layer"), shape);
        String rank = refusal(tmp.resolve("rank"), c -> c.put("r", 8), t -> {});
        assertTrue(rank.contains("with r=8"), rank);
        String half = refusal(tmp.resolve("half"), c -> {}, t -> t.remove(Q0 + ".lora_B.weight"));
        assertTrue(half.contains("needs both"), half);
        String hidden =
                refusal(
                        tmp.resolve("base"),
                        c -> ((ObjectNode) c.get("fewner_base")).put("hidden_size", 768),
                        t -> {});
        assertTrue(hidden.contains("hidden size 768") && hidden.contains("hidden size 16"), hidden);
        String arch =
                refusal(
                        tmp.resolve("arch"),
                        c -> ((ObjectNode) c.get("fewner_base")).put("model_type", "bert"),
                        t -> {});
        assertTrue(arch.contains("made for a bert base"), arch);
        String plain =
                refusal(
                        tmp.resolve("plain"),
                        c -> {},
                        t ->
                                t.put(
                                        LoraAdapter.PREFIX + "lm_head.weight",
                                        HostTensor.ofFloats(new long[] {2}, new float[2])));
        assertTrue(plain.contains("not a LoRA factor"), plain);
    }

    @Test
    void refusesBrokenFiles(@TempDir Path tmp) throws Exception {
        AdapterException none = assertThrows(AdapterException.class, () -> LoraAdapter.read(tmp));
        assertTrue(none.getMessage().contains("no adapter_config.json"), none.getMessage());
        fresh().write(tmp);
        Files.delete(tmp.resolve(LoraAdapter.WEIGHTS_FILE));
        Files.write(tmp.resolve("adapter_model.bin"), new byte[] {1});
        AdapterException bin = assertThrows(AdapterException.class, () -> LoraAdapter.read(tmp));
        assertTrue(bin.getMessage().contains("only the safetensors format"), bin.getMessage());
        Files.writeString(
                tmp.resolve(LoraConfig.FILE),
                "{\"r\": \"four\", \"target_modules\": [\"q_proj\"]}");
        AdapterException r = assertThrows(AdapterException.class, () -> LoraAdapter.read(tmp));
        assertTrue(r.getMessage().contains("field 'r'"), r.getMessage());
        Files.writeString(tmp.resolve(LoraConfig.FILE), "{\"r\": 4}");
        AdapterException t = assertThrows(AdapterException.class, () -> LoraAdapter.read(tmp));
        assertTrue(t.getMessage().contains("target_modules"), t.getMessage());
        Files.writeString(
                tmp.resolve(LoraConfig.FILE), "{\"r\": 4, \"target_modules\": \"(unclosed\"}");
        AdapterException rx = assertThrows(AdapterException.class, () -> LoraAdapter.read(tmp));
        assertTrue(rx.getMessage().contains("not a valid regular expression"), rx.getMessage());
    }
}
