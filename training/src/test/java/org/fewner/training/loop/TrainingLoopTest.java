package org.fewner.training.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainers' one loop on a toy problem: log lines, checkpoints, kill and resume. */
class TrainingLoopTest {
    /** Settings record of the toy trainer (stored with the checkpoint). */
    record Toy(long seed, int maxSteps) {}

    /** Fits w to random targets drawn from (seed, step): loss = |w - y|^2. */
    static TrainingLoop<Toy> loop(Toy t) {
        TrainingLoop<Toy> l =
                new TrainingLoop<>(
                        new TrainingLoop.Settings("toy", 0.1, 1, t.maxSteps(), 0.01, 1.0, 3),
                        t,
                        Toy.class,
                        m -> "loss=" + m.get("loss"));
        l.optimiser().add("w", new long[] {2, 2}, new float[] {1, 2, 3, 4}, true);
        return l;
    }

    static TrainingLoop.Step step(TrainingLoop<Toy> l, Toy t) {
        return (root, s) -> {
            Random r = new Random(t.seed() * 1_000_003L + s);
            float[] w = l.parameters().get("w");
            float[] g = new float[w.length];
            double loss = 0;
            for (int i = 0; i < w.length; i++) {
                double d = w[i] - r.nextGaussian();
                loss += d * d;
                g[i] = (float) (2 * d);
            }
            Map<String, float[]> grads = new LinkedHashMap<>();
            grads.put("w", g);
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("loss", loss);
            v.put("none", null);
            v.put("lr", l.update(grads));
            return v;
        };
    }

    @Test
    void killedRunResumesToTheSameParametersAndLog(@TempDir Path dir) throws Exception {
        Toy t = new Toy(7, 8);
        TrainingLoop<Toy> full = loop(t);
        full.run(null, dir.resolve("full.log"), dir.resolve("full.ckpt"), -1, null, step(full, t));
        assertEquals(8, full.step());
        List<String> fullLog = Files.readAllLines(dir.resolve("full.log"));
        assertEquals(8, fullLog.size());
        JsonNode first = Json.MAPPER.readTree(fullLog.get(0));
        List<String> keys = new ArrayList<>();
        first.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("step", "loss", "none", "lr", "step_s"), keys);
        assertEquals(1, first.path("step").asInt());
        assertTrue(first.get("none").isNull());

        // killed after 4 steps: the last checkpoint is step 3, so step 4 is replayed
        TrainingLoop<Toy> killed = loop(t);
        List<Integer> seen = new ArrayList<>();
        killed.run(
                null, dir.resolve("k.log"), dir.resolve("k.ckpt"), 4, seen::add, step(killed, t));
        assertEquals(List.of(1, 2, 3, 4), seen);
        TrainingLoop<Toy> resumed = loop(t);
        resumed.resumeOrStartFresh(true, dir.resolve("k.ckpt"), dir.resolve("k.log"));
        assertEquals(3, resumed.step());
        resumed.run(null, dir.resolve("k.log"), dir.resolve("k.ckpt"), -1, null, step(resumed, t));
        assertArrayEquals(full.parameters().get("w"), resumed.parameters().get("w"));
        assertEquals(full.lastLosses(), resumed.lastLosses());
        // the last checkpoint is the end
        TrainingLoop<Toy> end = loop(t);
        end.restore(dir.resolve("k.ckpt"));
        assertEquals(8, end.step());
        assertArrayEquals(full.parameters().get("w"), end.parameters().get("w"));
    }

    @Test
    void resumeNeedsACheckpointAndAFreshStartClearsTheLog(@TempDir Path dir) throws Exception {
        TrainingLoop<Toy> l = loop(new Toy(1, 2));
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () -> l.resumeOrStartFresh(true, dir.resolve("none"), dir.resolve("log")));
        assertTrue(e.getMessage().endsWith("no checkpoint to resume from"), e.getMessage());
        Files.writeString(dir.resolve("log"), "old\n");
        l.resumeOrStartFresh(false, dir.resolve("none"), dir.resolve("log"));
        assertTrue(Files.notExists(dir.resolve("log")));
        // another config cannot resume this run's checkpoint
        Toy t = new Toy(1, 2);
        l.run(null, dir.resolve("log"), dir.resolve("ckpt"), -1, null, step(l, t));
        TrainingLoop<Toy> other = loop(new Toy(2, 2));
        assertThrows(FewNerException.class, () -> other.restore(dir.resolve("ckpt")));
    }

    /**
     * Issue 27: a diverged training (train --lr NaN wrote all-NaN heads) stops with one line at the
     * first non-finite loss; no checkpoint of that step is written.
     */
    @Test
    void aNonFiniteLossStopsTheTrainingWithOneLine(@TempDir Path dir) {
        Toy t = new Toy(7, 8);
        TrainingLoop<Toy> l = loop(t);
        TrainingLoop.Step good = step(l, t);
        TrainingLoop.Step diverging =
                (root, s) -> {
                    Map<String, Double> v = good.run(root, s);
                    if (s == 4) {
                        v.put("loss", Double.NaN);
                    }
                    return v;
                };
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                l.run(
                                        null,
                                        dir.resolve("log"),
                                        dir.resolve("ckpt"),
                                        -1,
                                        null,
                                        diverging));
        assertTrue(
                e.getMessage().startsWith("training step 5: loss term 'loss' is NaN"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
        // parameters that hold NaN are refused as well
        l.parameters().get("w")[1] = Float.POSITIVE_INFINITY;
        e = assertThrows(FewNerException.class, l::requireFiniteParameters);
        assertTrue(
                e.getMessage().contains("parameter 'w' holds Infinity at element 1"),
                e.getMessage());
    }
}
