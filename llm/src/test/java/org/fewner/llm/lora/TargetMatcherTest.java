package org.fewner.llm.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TargetMatcherTest {

    private static LoraConfig cfg(TargetModules t, List<Integer> layers, List<String> pattern) {
        return new LoraConfig(
                4, 8, 0, t, false, layers, pattern, null, null, null, null, null, false, null);
    }

    private static TargetModules names(String... n) {
        return new TargetModules.Names(Arrays.asList(n));
    }

    /**
     * key, target_modules, layers_to_transform, layers_pattern, expected: the cases of PEFT's
     * tests/test_tuners_utils.py.
     */
    private static final Object[][] PEFT_CASES = {
        {"", names(), null, null, false},
        {"", names("foo"), null, null, false},
        {"foo", names(), null, null, false},
        {"foo", names("foo"), null, null, true},
        {"foo", names("bar"), null, null, false},
        {"foo", names("foo", "bar"), null, null, true},
        {"foo", new TargetModules.Regex("foo"), null, null, true},
        {"foo", new TargetModules.Regex(".*oo"), null, null, true},
        {"foo", new TargetModules.Regex("fo.*"), null, null, true},
        {"foo", new TargetModules.Regex(".*bar.*"), null, null, false},
        {"foobar", new TargetModules.Regex(".*oba.*"), null, null, true},
        {"foo.bar.1.baz", names("baz"), List.of(1), List.of("bar"), true},
        {"foo.bar.1.baz", names("baz"), List.of(0), List.of("bar"), false},
        {"foo.bar.1.baz", names("baz"), List.of(2), List.of("bar"), false},
        {"foo.bar.10.baz", names("baz"), List.of(0), List.of("bar"), false},
        {"foo.bar.10.baz", names("baz"), List.of(1), List.of("bar"), false},
        {"foo.bar.1.baz", names("baz"), List.of(0, 1, 2), List.of("bar"), true},
        {"foo.bar.1.baz", names("baz", "spam"), List.of(1), List.of("bar"), true},
        {"foo.bar.1.baz", names("baz", "spam"), List.of(0, 1, 2), List.of("bar"), true},
        {"foo.whatever.1.baz", names("baz"), List.of(1), List.of(), true},
        {"foo.whatever.1.baz", names("baz"), List.of(0), List.of(), false},
        {"foo.whatever.1.baz", names("baz"), List.of(1), null, true},
        {"foo.whatever.1.baz", names("baz"), List.of(0), null, false},
        {"transformer.h.1.attn.attention.q_proj.foo", names("q_proj"), null, List.of(), false},
        {"transformer.h.1.attn.attention.q_proj", names(), null, List.of(), false},
        {"transformer.h.1.attn.attention.q_proj", names("q_proj"), null, List.of(), true},
        {"transformer.h.1.attn.attention.q_proj", names("q_proj", "v_proj"), null, List.of(), true},
        {
            "transformer.h.1.attn.attention.resid_dropout",
            names("q_proj", "v_proj"),
            null,
            List.of(),
            false
        },
        {"transformer.h.1.attn.attention.q_proj", names("q_proj"), List.of(1), List.of("h"), true},
        {"transformer.h.1.attn.attention.q_proj", names("q_proj"), List.of(0), List.of("h"), false},
        {"transformer.h.1.attn.attention.q_proj", names("q_proj"), List.of(2), List.of("h"), false},
        {
            "transformer.h.1.attn.attention.q_proj",
            names("q_proj"),
            List.of(0, 1, 2),
            List.of("h"),
            true
        },
        {
            "transformer.h.1.attn.attention.q_proj",
            names("q_proj", "v_proj"),
            List.of(0, 1, 2),
            List.of("h"),
            true
        },
        {"foo.bar.q_proj", names("q_proj"), null, List.of(), true},
        {"foo.bar.1.baz", names("baz"), List.of(1), List.of("foo"), false},
        {"foo.bar.1.baz", names("baz"), List.of(1), List.of("baz"), false},
        {"bar.1.baz", names("baz"), List.of(1), List.of("bar"), false},
        {"foo.bar.001.baz", names("baz"), List.of(1), List.of("bar"), true},
        {"foo.bar.1.spam.2.baz", names("baz"), List.of(1), List.of("bar"), true},
        {"foo.bar.2.spam.1.baz", names("baz"), List.of(1), List.of("bar"), false},
        {"blocks.1.weight", names("weight"), List.of(1), List.of("blocks"), false},
        {"blocks.1.bias", names("weight"), List.of(1), List.of("blocks"), false},
        {"mlp.blocks.1.weight", names("weight"), List.of(1), List.of("blocks"), true},
        {"mlp.blocks.1.bias", names("weight"), List.of(1), List.of("blocks"), false},
    };

    @SuppressWarnings("unchecked")
    @Test
    void agreesWithPeftsOwnTestTable() {
        for (Object[] c : PEFT_CASES) {
            LoraConfig config =
                    cfg((TargetModules) c[1], (List<Integer>) c[2], (List<String>) c[3]);
            assertEquals(
                    c[4],
                    TargetMatcher.matches(config, (String) c[0], Set.of()),
                    Arrays.toString(c));
        }
    }

    @Test
    void listTargetsMatchOnDotBoundariesOnly() {
        LoraConfig c = cfg(names("proj", "query"), null, null);
        assertFalse(TargetMatcher.matches(c, "model.layers.0.self_attn.q_proj", Set.of()));
        assertTrue(TargetMatcher.matches(c, "bert.encoder.layer.0.attention.self.query", Set.of()));
        LoraConfig dense = cfg(names("attention.output.dense"), null, null);
        assertTrue(
                TargetMatcher.matches(dense, "encoder.layer.3.attention.output.dense", Set.of()));
        assertFalse(TargetMatcher.matches(dense, "encoder.layer.3.output.dense", Set.of()));
    }

    @Test
    void excludeModulesAndAllLinear() {
        LoraConfig c =
                new LoraConfig(
                        4,
                        8,
                        0,
                        new TargetModules.AllLinear(),
                        false,
                        null,
                        null,
                        names("o_proj"),
                        null,
                        null,
                        null,
                        null,
                        false,
                        null);
        Set<String> all =
                Set.of("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.o_proj");
        assertTrue(TargetMatcher.matches(c, "model.layers.0.self_attn.q_proj", all));
        assertFalse(TargetMatcher.matches(c, "model.layers.0.self_attn.o_proj", all), "excluded");
        assertFalse(TargetMatcher.matches(c, "lm_head", all), "output layer is not in all-linear");
        LoraConfig rx =
                new LoraConfig(
                        4,
                        8,
                        0,
                        new TargetModules.Regex(".*_proj"),
                        false,
                        null,
                        null,
                        new TargetModules.Regex(".*\\.1\\..*"),
                        null,
                        null,
                        null,
                        null,
                        false,
                        null);
        assertTrue(TargetMatcher.matches(rx, "model.layers.0.mlp.up_proj", Set.of()));
        assertFalse(TargetMatcher.matches(rx, "model.layers.1.mlp.up_proj", Set.of()));
    }

    @Test
    void rankAndAlphaPatternsAndRsLora() {
        LoraConfig c =
                new LoraConfig(
                        8,
                        16,
                        0,
                        names("q_proj", "v_proj"),
                        false,
                        null,
                        null,
                        null,
                        Map.of("v_proj", 2),
                        Map.of("layers\\.1\\.self_attn\\.q_proj", 4.0),
                        null,
                        null,
                        false,
                        null);
        assertEquals(8, c.rankOf("model.layers.0.self_attn.q_proj"));
        assertEquals(2, c.rankOf("model.layers.0.self_attn.v_proj"));
        assertEquals(2.0, c.scaleOf("model.layers.0.self_attn.q_proj"), 0);
        assertEquals(8.0, c.scaleOf("model.layers.0.self_attn.v_proj"), 0);
        assertEquals(0.5, c.scaleOf("model.layers.1.self_attn.q_proj"), 0);
        LoraConfig rs = LoraConfig.of(16, 8, 0, List.of("q_proj"), true);
        assertEquals(2.0, rs.scaleOf("x.q_proj"), 0);
    }
}
