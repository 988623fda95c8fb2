package org.fewner.training.dev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.span.FeatureStore;
import org.fewner.training.span.SpanBatch;
import org.fewner.training.span.SpanTrainer;
import org.fewner.training.span.SpanTrainerTest;
import org.fewner.training.span.SpanTrainingConfig;
import org.junit.jupiter.api.Test;

/** The step profiler replays trainStep exactly, and its batch export carries the batch. */
class SpanStepProfilerTest {
    @Test
    void replayLeavesTheSameHeadsAsTrainStep() throws Exception {
        for (String adv : List.of("pgd", "none")) {
            SpanTrainingConfig c = SpanTrainerTest.config(8, adv);
            List<TrainingExample> ex = SpanTrainerTest.corpus(60, 1);
            FeatureStore fs = SpanTrainerTest.store(ex);
            SpanTrainer real = new SpanTrainer(c, ex, fs);
            SpanStepProfiler replay = new SpanStepProfiler(c, ex, fs);
            try (NDManager m = NDManager.newBaseManager()) {
                for (int i = 0; i < 8; i++) {
                    real.trainStep(m);
                    SpanStepProfiler.Step s = replay.step(m);
                    assertEquals(adv.equals("pgd") ? 1 + c.pgdSteps() : 1, s.passes());
                    assertTrue(s.words() > 0 && s.candidates() > 0 && s.matmulFlops() > 0);
                    assertEquals(SpanStepProfiler.PHASES, List.copyOf(s.nanos().keySet()));
                }
            }
            assertEquals(real.step(), replay.step());
            real.heads()
                    .forEach(
                            (n, t) ->
                                    assertArrayEquals(
                                            t.toFloats(),
                                            replay.heads().get(n).toFloats(),
                                            adv + ": " + n));
        }
    }

    @Test
    void batchExportHoldsTheStepsCandidatesAndSpans() throws Exception {
        SpanTrainingConfig c = SpanTrainerTest.config(8, "none");
        List<TrainingExample> ex = SpanTrainerTest.corpus(60, 1);
        SpanTrainer t = new SpanTrainer(c, ex, SpanTrainerTest.store(ex));
        SpanBatch b = t.batch(3);
        ObjectNode j = SpanStepProfiler.batchJson(t, 3);
        assertEquals(b.rows, j.get("rows").asInt());
        assertEquals(b.ways, j.get("ways").asInt());
        assertEquals(b.candidates.size(), j.get("candidates").size());
        assertEquals(b.spans.size(), j.get("spans").size());
        assertEquals(b.boundaryPairs.size(), j.get("boundary_pairs").size());
        int[] first = b.candidates.get(0);
        assertEquals(first[0], j.get("candidates").get(0).get(0).asInt());
        assertEquals(first[2], j.get("candidates").get(0).get(2).asInt());
    }
}
