package org.fewner.uimaannotator;

import java.util.Map;
import org.fewner.ner.FewShotMethod;

/**
 * Makes a {@link FewShotMethod} by name on a loaded model, for the engine's {@code method}
 * parameter. Providers are found with {@link java.util.ServiceLoader} ({@code
 * META-INF/services/org.fewner.uimaannotator.FewShotMethodProvider}), so a new method (span,
 * generative) needs no change to the engine.
 */
public interface FewShotMethodProvider {
    /** The method names this provider makes (e.g. {@code frozen-prototype}). */
    java.util.Set<String> names();

    /**
     * A new method on {@code model}.
     *
     * @param name one of {@link #names()}
     * @param model the shared model (backbone and resident adapters); the method must not close it
     * @param adapter the resident adapter the method's forward passes name, or null for the base
     * @param options method options ({@code key=value} from the engine's {@code methodOptions})
     * @throws org.fewner.common.FewNerException for an unusable option
     */
    FewShotMethod create(
            String name, SharedModel model, String adapter, Map<String, String> options);
}
