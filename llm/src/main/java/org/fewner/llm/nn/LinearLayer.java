package org.fewner.llm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Hugging Face {@code nn.Linear} ({@code y = x Wᵀ + b}, weight [out, in]) that LoRA adapters can
 * wrap by name.
 *
 * <p>Every linear layer of every backbone is one of these, registered under its HF module name
 * (e.g. {@code model.layers.0.self_attn.q_proj}, {@code
 * bert.encoder.layer.0.attention.self.query}); that name is what PEFT's {@code target_modules}
 * match against. Adapters are kept per name, as PEFT's {@code lora_A[name]}; a forward call picks
 * one through {@link ForwardParams#ADAPTER} and adds {@code scale · (x Aᵀ) Bᵀ}. The base weight is
 * never modified except by an explicit merge.
 */
public final class LinearLayer extends AbstractBlock {
    /** HF module name, e.g. {@code model.layers.3.mlp.down_proj}. */
    private final String moduleName;

    /** Input features. */
    private final int inFeatures;

    /** Output features. */
    private final int outFeatures;

    /** Weight, [out, in] (torch layout). */
    private final Parameter weight;

    /** Bias, [out], or null. */
    private final Parameter bias;

    /** Resident adapters by name. */
    private final Map<String, LoraWeights> adapters = new ConcurrentHashMap<>();

    /** The adapter currently merged into {@link #weight}, or null. */
    private volatile String merged;

    /**
     * With a shared weight (a tied {@code lm_head} whose array is the embedding table): the merged
     * weight kept beside the untouched base array, used by forward instead of it; null otherwise.
     */
    private volatile NDArray mergedCopy;

    public LinearLayer(String moduleName, int inFeatures, int outFeatures, boolean hasBias) {
        super((byte) 1);
        this.moduleName = moduleName;
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .build()); // no optShape: DJL's Parameter.setArray refuses a
        // parameter whose shape was preset
        this.bias =
                hasBias
                        ? addParameter(
                                Parameter.builder()
                                        .setName("bias")
                                        .setType(Parameter.Type.BIAS)
                                        .build())
                        : null;
    }

    public String moduleName() {
        return moduleName;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias parameter, or null when the layer has none. */
    public Parameter bias() {
        return bias;
    }

    /**
     * Sets the weights; {@code w} [out, in], {@code b} [out] or null. Checks shapes against this
     * layer.
     */
    public void setWeights(NDArray w, NDArray b) {
        Shape expected = new Shape(outFeatures, inFeatures);
        if (!w.getShape().equals(expected) || w.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(
                    moduleName
                            + ".weight: expected float32 "
                            + expected
                            + ", got "
                            + w.getDataType()
                            + " "
                            + w.getShape());
        }
        if ((b == null) != (bias == null)) {
            throw new IllegalArgumentException(
                    moduleName + ".bias: " + (bias == null ? "layer has no bias" : "bias missing"));
        }
        if (b != null && !b.getShape().equals(new Shape(outFeatures))) {
            throw new IllegalArgumentException(
                    moduleName + ".bias: expected (" + outFeatures + "), got " + b.getShape());
        }
        weight.setArray(w);
        if (b != null) {
            bias.setArray(b);
        }
    }

    /** Adds (or replaces) an adapter's update for this layer under {@code name}. */
    public void putAdapter(String name, LoraWeights lora) {
        if (lora.a().getShape().get(1) != inFeatures
                || lora.b().getShape().get(0) != outFeatures
                || lora.b().getShape().get(1) != lora.a().getShape().get(0)) {
            throw new IllegalArgumentException(
                    moduleName
                            + ": LoRA shapes A "
                            + lora.a().getShape()
                            + ", B "
                            + lora.b().getShape()
                            + " do not fit a linear layer of in="
                            + inFeatures
                            + ", out="
                            + outFeatures);
        }
        adapters.put(name, lora);
    }

    /** Removes an adapter (refused while it is merged). */
    public LoraWeights removeAdapter(String name) {
        if (name.equals(merged)) {
            throw new IllegalStateException(
                    moduleName
                            + ": adapter '"
                            + name
                            + "' is merged; unmerge it before removing it");
        }
        return adapters.remove(name);
    }

    public LoraWeights adapter(String name) {
        return adapters.get(name);
    }

    public Set<String> adapterNames() {
        return Collections.unmodifiableSet(adapters.keySet());
    }

    /** The adapter merged into the weight, or null. */
    public String mergedAdapter() {
        return merged;
    }

    /**
     * Merges a resident adapter into the weight: {@code W ← W + scale · B · A} (in place, float32).
     * Afterwards only forward calls naming this adapter are allowed, and they skip the LoRA branch.
     * Not safe while other threads run forward calls on this layer.
     *
     * @param shared the weight array is shared with another tensor (a tied output layer and the
     *     input embeddings): the merged weight is then a separate array and the shared one is left
     *     untouched
     */
    public synchronized void mergeAdapter(String name, boolean shared) {
        if (merged != null) {
            throw new IllegalStateException(
                    moduleName + ": adapter '" + merged + "' is already merged; unmerge it first");
        }
        LoraWeights lora = adapters.get(name);
        if (lora == null) {
            throw new IllegalArgumentException(moduleName + ": no adapter '" + name + "' to merge");
        }
        NDArray w = weight.getArray();
        try (NDArray delta = delta(lora)) {
            if (shared) {
                NDArray copy = w.add(delta);
                copy.attach(lora.a().getManager());
                mergedCopy = copy;
            } else {
                w.addi(delta);
            }
        }
        merged = name;
    }

    /** {@link #mergeAdapter(String, boolean)} for an unshared weight. */
    public void mergeAdapter(String name) {
        mergeAdapter(name, false);
    }

    /**
     * Undoes {@link #mergeAdapter}: {@code W ← W − scale · B · A} with the same float32 {@code
     * scale · B · A}, so each element comes back to within the rounding of the two additions:
     * {@code |W'' − W| ≤ u·(|W'| + |W''|)} with {@code u = 2⁻²⁴} and {@code W'} the merged value
     * (see llm/docs/lora.md). A shared weight was never changed and is exactly the base again.
     * No-op when nothing is merged.
     */
    public synchronized void unmergeAdapter() {
        if (merged == null) {
            return;
        }
        NDArray copy = mergedCopy;
        if (copy != null) {
            mergedCopy = null;
            copy.close();
            merged = null;
            return;
        }
        LoraWeights lora = adapters.get(merged);
        if (lora == null) {
            throw new IllegalStateException(
                    moduleName
                            + ": merged adapter '"
                            + merged
                            + "' was removed; the base weight is lost");
        }
        NDArray w = weight.getArray();
        try (NDArray delta = delta(lora)) {
            w.subi(delta);
        }
        merged = null;
    }

    /** {@code scale · B · A}, [out, in], on the weight's device (caller closes it). */
    private NDArray delta(LoraWeights lora) {
        try (NDArray ba = lora.b().matMul(lora.a())) {
            return ba.mul(lora.scale());
        }
    }

    /** Makes the base weight and bias constants for autograd (no gradient is computed for them). */
    public void freezeBase() {
        weight.getArray().setRequiresGradient(false);
        if (bias != null) {
            bias.getArray().setRequiresGradient(false);
        }
    }

    /**
     * {@code y = x Wᵀ + b (+ scale · (x Aᵀ) Bᵀ for the selected adapter)}.
     *
     * @param inputs {@code x} [..., in]
     * @return {@code y} [..., out]
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray copy = mergedCopy;
        NDArray w = copy != null ? copy : ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        NDArray y = Linear.linear(x, w, b).singletonOrThrow();
        String name = ForwardParams.adapterOf(params);
        String mergedNow = merged;
        if (mergedNow != null) {
            if (!mergedNow.equals(name)) {
                throw new IllegalStateException(
                        moduleName
                                + ": adapter '"
                                + mergedNow
                                + "' is merged into the base weights;"
                                + " unmerge it before running "
                                + (name == null ? "the base alone" : "adapter '" + name + "'"));
            }
        } else if (name != null) {
            NDArray delta = loraDelta(x, name, training);
            if (delta != null) {
                y = y.add(delta);
            }
        }
        return new NDList(y);
    }

    /**
     * The LoRA branch alone, {@code scale · (x Aᵀ) Bᵀ} (dropout on x when training), for callers
     * that compute the base product themselves (fused q/k/v): base + this delta is what {@link
     * #forward} gives, and a zero B adds exactly 0.
     *
     * @param x [..., in]
     * @return [..., out], or null when the layer has no adapter {@code name} or an adapter is
     *     merged
     */
    public NDArray loraDelta(NDArray x, String name, boolean training) {
        if (name == null || merged != null) {
            return null;
        }
        LoraWeights lora = adapters.get(name);
        if (lora == null) {
            return null;
        }
        NDArray h =
                training && lora.dropout() > 0
                        ? ai.djl.nn.norm.Dropout.dropout(x, lora.dropout(), true).singletonOrThrow()
                        : x;
        NDArray delta =
                Linear.linear(Linear.linear(h, lora.a()).singletonOrThrow(), lora.b())
                        .singletonOrThrow();
        // the scale as an array of the call's manager, not delta.mul(float): DJL makes a scalar
        // operand a temporary array and closes it at once, while autograd keeps it for the
        // backward pass (a use after free that gave NaN gradients and crashes in training)
        NDArray scale = delta.getManager().create(lora.scale());
        return delta.mul(scale);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures)};
    }

    @Override
    public String toString() {
        return "LinearLayer(" + moduleName + ", in=" + inFeatures + ", out=" + outFeatures + ")";
    }
}
