package org.fewner.ner;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.fewner.common.FewNerException;

/**
 * The registry of few-shot methods by name: the harness's {@code --method}, the UIMA engine's
 * method parameter. Every method, the built-in {@code frozen-prototype} (this module's services
 * file) included, comes either from {@link #register} or as a {@link Provider} service ({@code
 * META-INF/services/org.fewner.ner.FewShotMethods$Provider}), found on first use.
 */
public final class FewShotMethods {

    /** Makes one method from options. */
    public interface Provider {
        /** The method's name ({@code frozen-prototype}, {@code span}, {@code opennlp}, ...). */
        String name();

        /** One line for help texts. */
        String description();

        /**
         * A new method instance; it owns what it loads itself, never the options' shared backbone
         * or encoder.
         */
        FewShotMethod create(MethodOptions options);
    }

    private static final Map<String, Provider> PROVIDERS = new TreeMap<>();
    private static boolean loaded;

    private FewShotMethods() {}

    /** Adds (or replaces) a provider. */
    public static synchronized void register(Provider provider) {
        PROVIDERS.put(provider.name(), provider);
    }

    private static synchronized Map<String, Provider> providers() {
        if (!loaded) {
            loaded = true;
            for (Provider p : ServiceLoader.load(Provider.class)) {
                PROVIDERS.putIfAbsent(p.name(), p);
            }
        }
        return PROVIDERS;
    }

    /** The known method names, sorted. */
    public static synchronized List<String> names() {
        return List.copyOf(providers().keySet());
    }

    /** The provider of {@code name}. */
    public static synchronized Provider provider(String name) {
        Provider p = providers().get(name);
        if (p == null) {
            throw new FewNerException(
                    "--method "
                            + FewNerException.quote(name)
                            + ": unknown method (known: "
                            + String.join(", ", providers().keySet())
                            + ")");
        }
        return p;
    }

    /**
     * Creates method {@code name}; an unknown name is a {@link FewNerException} listing the known.
     */
    public static FewShotMethod create(String name, MethodOptions options) {
        return provider(name).create(options);
    }
}
