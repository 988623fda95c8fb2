package org.fewner.training.generative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.List;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.lora.AdapterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The InfoNCE term's and the adversarial (FGM/PGD) input gradients against central finite
 * differences on a tiny decoder (token ids fed directly).
 */
class GenerativeGradientTest {
    @TempDir static Path tmp;
    static DecoderModel model;
    static GenerativeLosses.Batch batch;
    static List<GenerativeLosses.Encoded> ex;

    @BeforeAll
    static void setUp() throws Exception {
        model = DecoderModel.load(TinyDecoders.noTokenizer(tmp.resolve("m")), Device.cpu());
        // two types, two entities each (spans are token ranges within the answers)
        ex =
                List.of(
                        // prompt words (token ranges): [1,2) [2,3) [3,5); entities: words 1 and 2
                        new GenerativeLosses.Encoded(
                                new long[] {3, 4, 5, 6, 7},
                                new long[] {9, 5, 10, 9, 6, 7, 10, 1},
                                List.of(new int[] {1, 2}, new int[] {4, 6}),
                                0,
                                List.of(new int[] {1, 2}, new int[] {2, 3}, new int[] {3, 5}),
                                List.of(new int[] {1, 2}, new int[] {2, 3})),
                        // prompt words: [1,2) [2,3) [3,4); entities: words 0 and 1-2
                        new GenerativeLosses.Encoded(
                                new long[] {3, 11, 12, 13},
                                new long[] {9, 12, 13, 10, 9, 11, 10, 1},
                                List.of(new int[] {1, 3}, new int[] {5, 6}),
                                1,
                                List.of(new int[] {1, 2}, new int[] {2, 3}, new int[] {3, 4}),
                                List.of(new int[] {0, 1}, new int[] {1, 3})),
                        new GenerativeLosses.Encoded(
                                new long[] {3, 14}, new long[] {8, 1}, List.of(), 0));
        batch = new GenerativeLosses.Batch(ex);
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    private static double infoNce(NDManager root, float[] x, String pooling) {
        try (NDManager m = root.newSubManager()) {
            NDArray xa = m.create(x, model.embedTokens(m, batch.ids).getShape());
            return GenerativeLosses.compute(m, model, null, batch, xa, 1, 1.0, pooling, 0.5, 0)
                    .infonce()
                    .getFloat();
        }
    }

    @Test
    void infoNceInputGradientMatchesFiniteDifferences() {
        for (String pooling : List.of("mean", "boundary")) {
            try (NDManager root = NDManager.newBaseManager()) {
                NDArray e = model.embedTokens(root, batch.ids);
                float[] x = e.toFloatArray();
                float[] g;
                try (NDManager m = root.newSubManager()) {
                    NDArray xa = m.create(x, e.getShape());
                    xa.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        GenerativeLosses.Terms t =
                                GenerativeLosses.compute(
                                        m, model, null, batch, xa, 1, 1.0, pooling, 0.5, 0);
                        gc.backward(t.infonce());
                    }
                    g = xa.getGradient().toFloatArray();
                }
                int t = batch.length();
                int h = model.config().hiddenSize();
                // coordinates of span tokens (rows 0 and 1) and of a prompt token
                int[] coords = {
                    (0 * t + 6) * h + 3,
                    (0 * t + 10) * h + 7,
                    (1 * t + 5) * h + 1,
                    (1 * t + 2) * h + 5
                };
                double step = 1e-2;
                for (int c : coords) {
                    float[] p = x.clone();
                    float[] q = x.clone();
                    p[c] += (float) step;
                    q[c] -= (float) step;
                    double fd =
                            (infoNce(root, p, pooling) - infoNce(root, q, pooling)) / (2 * step);
                    assertEquals(
                            fd,
                            g[c],
                            2e-3 + 2e-2 * Math.abs(fd),
                            pooling + ": coordinate " + c + " autograd " + g[c] + " vs " + fd);
                }
                double norm = 0;
                for (float v : g) norm += v * v;
                assertTrue(norm > 0, "InfoNCE has a gradient at the inputs");
            }
        }
    }

    private static double boundary(NDManager root, float[] x) {
        try (NDManager m = root.newSubManager()) {
            NDArray xa = m.create(x, model.embedTokens(m, batch.ids).getShape());
            return GenerativeLosses.compute(m, model, null, batch, xa, 1, 0, "mean", 0.5, 1.0)
                    .boundary()
                    .getFloat();
        }
    }

    @Test
    void boundaryTermInputGradientMatchesFiniteDifferences() {
        // shifted spans ([start, end) in words, 3 words per row): row 0 entity [1,2) → [0,2),
        // [1,3); entity [2,3) → [1,3), [0,3); row 1 entity [0,1) → [0,2), [0,3); [1,3) → [0,3)
        assertEquals(4, batch.goldRows.size());
        assertEquals(7, batch.shiftedRows.size());
        assertEquals(List.of(0, 0, 1, 1, 2, 2, 3), batch.shiftedOf);
        try (NDManager root = NDManager.newBaseManager()) {
            NDArray e = model.embedTokens(root, batch.ids);
            float[] x = e.toFloatArray();
            float[] g;
            double value;
            try (NDManager m = root.newSubManager()) {
                NDArray xa = m.create(x, e.getShape());
                xa.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    GenerativeLosses.Terms t =
                            GenerativeLosses.compute(
                                    m, model, null, batch, xa, 1, 0, "mean", 0.5, 1.0);
                    value = t.boundary().getFloat();
                    // weight 1, no InfoNCE: total = answer + boundary
                    assertEquals(
                            t.answer().getFloat() + value, t.total().getFloat(), 1e-5, "total");
                    gc.backward(t.boundary());
                }
                g = xa.getGradient().toFloatArray();
            }
            // −log σ(Δ) with |Δ| ≤ 2 lies in [log(1 + e⁻²), log(1 + e²)]
            assertTrue(value > 0.126 && value < 2.127, "boundary term " + value);
            int t = batch.length();
            int h = model.config().hiddenSize();
            // prompt tokens of words inside and around the entities, both rows; an answer token
            int[] coords = {
                (0 * t + 1) * h + 3,
                (0 * t + 2) * h + 7,
                (0 * t + 4) * h + 1,
                (1 * t + 1) * h + 5,
                (1 * t + 3) * h + 2,
                (1 * t + 0) * h + 4
            };
            double step = 1e-2;
            for (int c : coords) {
                float[] p = x.clone();
                float[] q = x.clone();
                p[c] += (float) step;
                q[c] -= (float) step;
                double fd = (boundary(root, p) - boundary(root, q)) / (2 * step);
                assertEquals(
                        fd,
                        g[c],
                        2e-3 + 2e-2 * Math.abs(fd),
                        "coordinate " + c + " autograd " + g[c] + " vs " + fd);
            }
            double norm = 0;
            for (float v : g) norm += v * v;
            assertTrue(norm > 0, "the boundary term has a gradient at the inputs");
        }
    }

    private static GenerativeTrainer trainer(AdapterRegistry r, String adv) {
        GenerativeTrainingConfig d = GenerativeTrainingConfig.defaults();
        GenerativeTrainingConfig c =
                new GenerativeTrainingConfig(
                        4,
                        8,
                        List.of("q_proj", "v_proj"),
                        3,
                        0.5,
                        1,
                        "mean",
                        0.5,
                        adv,
                        1.0,
                        3,
                        d.lr(),
                        0,
                        1,
                        10,
                        7,
                        100,
                        8,
                        1.0,
                        0);
        return new GenerativeTrainer(c, model, r, ex);
    }

    @Test
    void fgmAndPgdFollowTheInputGradient() {
        try (NDManager root = NDManager.newBaseManager();
                AdapterRegistry r = new AdapterRegistry(model)) {
            GenerativeTrainer tr = trainer(r, "fgm");
            GenerativeTrainer.Pass clean = tr.pass(root, batch, null, null, true);
            float[] g = clean.inputGrad();
            // the gradient FGM uses, coordinate by coordinate against finite differences
            double step = 1e-2;
            int h = model.config().hiddenSize();
            for (int c : new int[] {2 * h + 1, 7 * h + 4, (batch.length() + 3) * h + 9}) {
                float[] p = new float[g.length];
                float[] q = new float[g.length];
                p[c] = (float) step;
                q[c] = (float) -step;
                double fd =
                        (tr.pass(root, batch, p, null, false).total()
                                        - tr.pass(root, batch, q, null, false).total())
                                / (2 * step);
                assertEquals(fd, g[c], 2e-3 + 2e-2 * Math.abs(fd), "coordinate " + c);
            }
            double gn = 0;
            for (float v : g) gn += v * v;
            gn = Math.sqrt(gn);
            // FGM: δ = ε g/‖g‖ raises the loss by ε‖g‖ to first order
            double eps = 2e-3;
            float[] fgm = new float[g.length];
            GenerativeTrainer.perturb(fgm, g, eps, eps);
            double rise = tr.pass(root, batch, fgm, null, false).total() - clean.total();
            assertEquals(eps * gn, rise, 0.1 * eps * gn, "FGM's first-order loss increase");
            // PGD: k steps of ε/k stay on the ε-ball and raise the loss at least as much
            float[] pgd = new float[g.length];
            float[] gi = g;
            for (int k = 0; k < 3; k++) {
                GenerativeTrainer.perturb(pgd, gi, eps / 3, eps);
                gi = tr.pass(root, batch, pgd, null, true).inputGrad();
            }
            double n = 0;
            for (float v : pgd) n += v * v;
            assertTrue(Math.sqrt(n) <= eps * (1 + 1e-5), "PGD stays on the ε-ball");
            double risePgd = tr.pass(root, batch, pgd, null, false).total() - clean.total();
            assertTrue(risePgd >= 0.95 * rise, "PGD " + risePgd + " vs FGM " + rise);
        }
    }
}
