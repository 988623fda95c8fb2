package org.fewner.training.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fewner.llm.tensors.HostTensor;

/**
 * Named float parameters (the master copy) with their AdamW moments, and the AdamW update with
 * decoupled weight decay (Loshchilov and Hutter; β₁ 0.9, β₂ 0.999, ε 1e-8, bias-corrected), and
 * global gradient-norm clipping. Shared by the span and the generative trainers.
 *
 * <p>Written here rather than taken from DJL because DJL's optimisers keep their moment estimates
 * in private state that cannot be checkpointed, and a resumed run must continue with exactly the
 * moments of the uninterrupted one. The arithmetic is the textbook one, in this order, so that runs
 * are bit-identical: {@code m = (float)(β₁m + (1−β₁)g)}, {@code v = (float)(β₂v + (1−β₂)g·g)},
 * {@code w = (float)(w − lr·(m/c₁)/(√(v/c₂) + ε) − lr·wd·w)} (the decay term only for parameters
 * registered with decay).
 */
public final class AdamW {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;

    private final Map<String, float[]> params = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Map<String, float[]> m = new LinkedHashMap<>();
    private final Map<String, float[]> v = new LinkedHashMap<>();
    private final Map<String, Boolean> decay = new LinkedHashMap<>();

    /**
     * Registers a parameter; {@code init} becomes the master copy (not copied), its moments start
     * at zero.
     *
     * @param decayed whether weight decay applies to it
     */
    public void add(String name, long[] shape, float[] init, boolean decayed) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != init.length) {
            throw new IllegalArgumentException(
                    name + ": shape holds " + n + " values, init " + init.length);
        }
        params.put(name, init);
        shapes.put(name, shape.clone());
        m.put(name, new float[init.length]);
        v.put(name, new float[init.length]);
        decay.put(name, decayed);
    }

    /** The parameters in registration order (a live, unmodifiable view of the master copies). */
    public Map<String, float[]> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** The parameters' shapes in registration order (a live, unmodifiable view). */
    public Map<String, long[]> shapes() {
        return Collections.unmodifiableMap(shapes);
    }

    /** Zero gradients, one array per parameter, in registration order. */
    public Map<String, float[]> zeroGradients() {
        Map<String, float[]> g = new LinkedHashMap<>();
        params.forEach((n, w) -> g.put(n, new float[w.length]));
        return g;
    }

    /** The global L2 norm of all gradients (accumulated in double). */
    public static double globalNorm(Map<String, float[]> grads) {
        double sq = 0;
        for (float[] g : grads.values()) {
            for (float x : g) {
                sq += (double) x * x;
            }
        }
        return Math.sqrt(sq);
    }

    /**
     * Scales all gradients by {@code (float) (maxNorm / norm)} when {@code maxNorm > 0} and their
     * global norm {@code norm} (from {@link #globalNorm}) exceeds it, as HF Trainer's {@code
     * max_grad_norm}: one batch with an outsized gradient then cannot throw the moments off.
     */
    public static void clip(Map<String, float[]> grads, double maxNorm, double norm) {
        if (maxNorm > 0 && norm > maxNorm) {
            float s = (float) (maxNorm / norm);
            for (float[] g : grads.values()) {
                for (int i = 0; i < g.length; i++) {
                    g[i] *= s;
                }
            }
        }
    }

    /** {@link #clip(Map, double, double)} at the gradients' own global norm; no-op when off. */
    public static void clip(Map<String, float[]> grads, double maxNorm) {
        if (maxNorm > 0) {
            clip(grads, maxNorm, globalNorm(grads));
        }
    }

    /**
     * One AdamW update of every parameter.
     *
     * @param grads gradients by parameter name (all parameters)
     * @param lr learning rate of this step
     * @param weightDecay decoupled weight decay (applied to the parameters registered with decay)
     * @param t 1-based update count (bias correction)
     */
    public void step(Map<String, float[]> grads, double lr, double weightDecay, int t) {
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        for (Map.Entry<String, float[]> e : params.entrySet()) {
            String name = e.getKey();
            float[] w = e.getValue();
            float[] g = grads.get(name);
            float[] mm = m.get(name);
            float[] vv = v.get(name);
            boolean decayed = decay.get(name);
            for (int i = 0; i < w.length; i++) {
                mm[i] = (float) (BETA1 * mm[i] + (1 - BETA1) * g[i]);
                vv[i] = (float) (BETA2 * vv[i] + (1 - BETA2) * g[i] * g[i]);
                double upd = (mm[i] / c1) / (Math.sqrt(vv[i] / c2) + EPS);
                double nw = w[i] - lr * upd;
                if (decayed) {
                    nw -= lr * weightDecay * w[i];
                }
                w[i] = (float) nw;
            }
        }
    }

    /**
     * Parameters and moments as tensors named {@code param.N}, {@code adam_m.N}, {@code adam_v.N}.
     */
    Map<String, HostTensor> state() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        for (String n : params.keySet()) {
            long[] s = shapes.get(n);
            t.put("param." + n, HostTensor.ofFloats(s, params.get(n)));
            t.put("adam_m." + n, HostTensor.ofFloats(s, m.get(n)));
            t.put("adam_v." + n, HostTensor.ofFloats(s, v.get(n)));
        }
        return t;
    }

    /** The arrays {@link #state()} names, to restore into. */
    Map<String, float[]> stateArrays() {
        Map<String, float[]> t = new LinkedHashMap<>();
        for (String n : params.keySet()) {
            t.put("param." + n, params.get(n));
            t.put("adam_m." + n, m.get(n));
            t.put("adam_v." + n, v.get(n));
        }
        return t;
    }
}
