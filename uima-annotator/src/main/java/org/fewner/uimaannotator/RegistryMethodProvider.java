package org.fewner.uimaannotator;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fewner.common.FewNerException;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.encode.BackboneWordEncoder;
import org.fewner.ner.prototype.FrozenPrototypeMethod;

/**
 * The methods of the evaluation harness's registry ({@link FewShotMethods}), made on the engine's
 * shared model, so that the engine and {@code fewner eval} run the same code.
 *
 * <p>{@code frozen-prototype} reads the shared backbone with the resident adapter named by the
 * engine, keeping a sentence cache of {@value #CACHE_BYTES} bytes (documents rarely repeat; the
 * harness's default of 1 GiB would only grow the heap). Every other method gets the shared backbone
 * ({@link MethodOptions#withBackbone}) and the adapter's directory as option {@code adapter}.
 */
public final class RegistryMethodProvider implements FewShotMethodProvider {
    /** Sentence-cache bound of the engine's frozen-prototype encoder. */
    public static final long CACHE_BYTES = 16L << 20;

    @Override
    public Set<String> names() {
        return new LinkedHashSet<>(FewShotMethods.names());
    }

    @Override
    public FewShotMethod create(
            String name, SharedModel model, String adapter, Map<String, String> options) {
        MethodOptions mo = MethodOptions.of(options).withBackbone(model.backbone());
        if (mo.get(MethodOptions.MODEL).isEmpty()) {
            // the model as the user named it ("default-uncased", a directory): methods look up what
            // ships for it (the span method's adapters)
            mo = mo.with(MethodOptions.MODEL, model.location());
        }
        if (name.equals(FrozenPrototypeMethod.NAME)) {
            int layer = mo.getInt(MethodOptions.LAYER, FrozenPrototypeMethod.DEFAULT_LAYER);
            int layers = model.backbone().config().numHiddenLayers();
            if (layer < 0 || layer > layers) {
                throw new FewNerException(
                        "methodOptions layer="
                                + layer
                                + ": the model has layers 0.."
                                + layers
                                + " (0 = embeddings)");
            }
            BackboneWordEncoder.Options eo =
                    BackboneWordEncoder.Options.of(List.of(layer))
                            .withCacheBytes(CACHE_BYTES)
                            .withAdapter(adapter);
            BackboneWordEncoder encoder = new BackboneWordEncoder(model.backbone(), eo, false);
            model.addForwardClock(() -> encoder.stats().forwardSeconds());
            return new FrozenPrototypeMethod(encoder, layer, true);
        }
        if (adapter != null) {
            mo = mo.with(MethodOptions.ADAPTER, model.adapterLocation(adapter).toString());
        }
        return FewShotMethods.create(name, mo);
    }
}
