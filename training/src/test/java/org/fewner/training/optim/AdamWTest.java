package org.fewner.training.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AdamW, clipping, the schedule and the checkpoint files against hand-worked values. */
class AdamWTest {
    @Test
    void firstStepMovesEachWeightByLrTimesTheSignPlusDecayWhereRegistered() {
        AdamW o = new AdamW();
        o.add("w", new long[] {1, 2}, new float[] {1f, -2f}, true);
        o.add("b", new long[] {1}, new float[] {1f}, false);
        Map<String, float[]> g = new LinkedHashMap<>();
        g.put("w", new float[] {0.5f, -3f});
        g.put("b", new float[] {2f});
        o.step(g, 0.1, 0.5, 1);
        // step 1: m/c1 = g, v/c2 = g², update = g/(|g| + 1e-8) ≈ sign(g); decay: - lr·wd·w
        assertEquals(1 - 0.1 - 0.05, o.parameters().get("w")[0], 1e-6);
        assertEquals(-2 + 0.1 + 0.1, o.parameters().get("w")[1], 1e-6);
        assertEquals(1 - 0.1, o.parameters().get("b")[0], 1e-6);
        // step 2 with g = 0: m = 0.9·0.1·g, v = 0.999·0.001·g²; c1 = 0.19, c2 = 0.001999
        g.put("w", new float[] {0f, 0f});
        g.put("b", new float[] {0f});
        o.step(g, 0.1, 0, 2);
        double upd = (0.09 / 0.19) / Math.sqrt(0.000999 / 0.001999);
        assertEquals(0.9 - 0.1 * upd, o.parameters().get("b")[0], 1e-6);
    }

    @Test
    void clippingScalesToTheGlobalNormOnlyAboveIt() {
        Map<String, float[]> g = new LinkedHashMap<>();
        g.put("a", new float[] {3f});
        g.put("b", new float[] {4f});
        assertEquals(5.0, AdamW.globalNorm(g), 1e-12);
        AdamW.clip(g, 10);
        assertEquals(3f, g.get("a")[0]);
        AdamW.clip(g, 0);
        assertEquals(3f, g.get("a")[0]);
        AdamW.clip(g, 1);
        assertEquals(0.6f, g.get("a")[0], 1e-7);
        assertEquals(0.8f, g.get("b")[0], 1e-7);
    }

    @Test
    void scheduleWarmsUpLinearlyThenDecaysToZero() {
        LinearWarmupDecay s = new LinearWarmupDecay(1.0, 4, 14);
        assertEquals(0.25, s.at(0), 1e-12);
        assertEquals(1.0, s.at(3), 1e-12);
        assertEquals(1.0, s.at(4), 1e-12);
        assertEquals(0.5, s.at(9), 1e-12);
        assertEquals(0.0, s.at(14), 1e-12);
        assertEquals(0.0, s.at(20), 1e-12);
        assertEquals(1.0, new LinearWarmupDecay(1.0, 0, 10).at(0), 1e-12);
    }

    record Settings(int a, String b) {}

    @Test
    void checkpointRestoresParametersMomentsAndStateAndRefusesOtherSettings(@TempDir Path dir) {
        AdamW o = new AdamW();
        o.add("w", new long[] {2}, new float[] {1f, 2f}, true);
        Map<String, float[]> g = new LinkedHashMap<>();
        g.put("w", new float[] {0.3f, -0.7f});
        o.step(g, 0.01, 0.1, 1);
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("x", 1.5);
        losses.put("off", null);
        TrainingCheckpoint.write(dir.resolve("c"), o, 7, 12.5, new Settings(1, "s"), losses);
        AdamW r = new AdamW();
        r.add("w", new long[] {2}, new float[2], true);
        TrainingCheckpoint.State st =
                TrainingCheckpoint.read(dir.resolve("c"), r, Settings.class, new Settings(1, "s"));
        assertEquals(7, st.step());
        assertEquals(12.5, st.elapsedSeconds());
        assertEquals(losses, st.losses());
        o.step(g, 0.01, 0.1, 2);
        r.step(g, 0.01, 0.1, 2);
        assertEquals(o.parameters().get("w")[0], r.parameters().get("w")[0]);
        assertEquals(o.parameters().get("w")[1], r.parameters().get("w")[1]);
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                TrainingCheckpoint.read(
                                        dir.resolve("c"), r, Settings.class, new Settings(2, "s")));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
        AdamW bigger = new AdamW();
        bigger.add("w", new long[] {3}, new float[3], true);
        e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                TrainingCheckpoint.read(
                                        dir.resolve("c"),
                                        bigger,
                                        Settings.class,
                                        new Settings(1, "s")));
        assertTrue(e.getMessage().contains("param.w missing or of the wrong size"), e.getMessage());
    }
}
