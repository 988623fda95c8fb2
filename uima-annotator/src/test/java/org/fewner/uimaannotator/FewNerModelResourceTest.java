package org.fewner.uimaannotator;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;
import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngineDescription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.uima.UIMAFramework;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.analysis_engine.AnalysisEngineDescription;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ConfigurableDataResourceSpecifier;
import org.apache.uima.resource.ResourceManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model resource's life cycle: its URL is the model, the resource manager that made it destroys
 * it and so releases the model, and the last holder's release closes the backbone.
 */
class FewNerModelResourceTest {
    @TempDir static Path tmp;
    static Path support;

    @BeforeAll
    static void setUp() throws Exception {
        support = tmp.resolve("support.conll");
        Files.writeString(support, FewNerAnnotatorTest.SUPPORT);
    }

    /** A model directory no other test holds. */
    static Path freshModel(String name) throws Exception {
        return TinyModels.bert(tmp.resolve(name), 16, 32, 3);
    }

    static AnalysisEngineDescription description(Object... model) throws Exception {
        Object[] params = new Object[model.length + 4];
        System.arraycopy(model, 0, params, 0, model.length);
        params[model.length] = FewNerAnnotator.PARAM_METHOD;
        params[model.length + 1] = GazetteerMethodProvider.NAME;
        params[model.length + 2] = FewNerAnnotator.PARAM_SUPPORT_LOCATION;
        params[model.length + 3] = support.toString();
        return createEngineDescription(FewNerAnnotator.class, params);
    }

    static FewNerModelResource resourceOf(ResourceManager rm) {
        return rm.getExternalResources().stream()
                .filter(FewNerModelResource.class::isInstance)
                .map(FewNerModelResource.class::cast)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void urlIsTheModelLocation() {
        assertEquals(
                "fewner-model:default",
                ((ConfigurableDataResourceSpecifier)
                                FewNerModelResource.description("default").getResourceSpecifier())
                        .getUrl());
        assertEquals(
                "default-uncased",
                FewNerModelResource.location(URI.create("fewner-model:default-uncased")));
        Path dir = tmp.resolve("some model");
        String url = FewNerModelResource.url(dir.toString());
        assertTrue(url.startsWith("file:"), url);
        assertEquals(
                dir.toAbsolutePath().toString(), FewNerModelResource.location(URI.create(url)));
    }

    @Test
    void destroyingTheResourceManagerReleasesTheModel() throws Exception {
        Path dir = freshModel("released");
        ResourceManager rm = UIMAFramework.newDefaultResourceManager();
        AnalysisEngine ae =
                UIMAFramework.produceAnalysisEngine(
                        description(
                                FewNerAnnotator.RES_MODEL,
                                FewNerModelResource.description(dir.toString())),
                        rm,
                        null);
        FewNerModelResource resource = resourceOf(rm);
        SharedModel model = resource.model();
        JCas jcas = Docs.jcas("Marie Curie visited 東京 .", "x");
        ae.process(jcas);
        assertEquals(2, Docs.spans(jcas).size());
        ae.destroy();
        assertFalse(model.isClosed(), "the resource manager still holds the resource");
        rm.destroy();
        assertTrue(model.isClosed(), "destroy() released the last holder: backbone closed");
        assertNull(resource.model());
    }

    @Test
    void resourcesOfTwoResourceManagersShareOneModelUntilBothAreDestroyed() throws Exception {
        Path dir = freshModel("shared");
        ResourceManager rm1 = UIMAFramework.newDefaultResourceManager();
        ResourceManager rm2 = UIMAFramework.newDefaultResourceManager();
        int loads = SharedModel.loads();
        AnalysisEngineDescription d =
                description(
                        FewNerAnnotator.RES_MODEL, FewNerModelResource.description(dir.toString()));
        AnalysisEngine a = UIMAFramework.produceAnalysisEngine(d, rm1, null);
        AnalysisEngine b = UIMAFramework.produceAnalysisEngine(d, rm2, null);
        assertEquals(1, SharedModel.loads() - loads);
        SharedModel model = resourceOf(rm1).model();
        assertSame(model, resourceOf(rm2).model());
        a.destroy();
        rm1.destroy();
        assertFalse(model.isClosed());
        b.destroy();
        rm2.destroy();
        assertTrue(model.isClosed());
    }

    @Test
    void anEngineWithoutResourceReleasesItsOwnOnDestroy() throws Exception {
        Path dir = freshModel("own");
        AnalysisEngine ae =
                createEngine(description(FewNerAnnotator.PARAM_MODEL_LOCATION, dir.toString()));
        SharedModel model = SharedModel.acquire(dir.toString());
        model.release(); // the engine's own resource is now the only holder
        assertFalse(model.isClosed());
        ae.destroy();
        assertTrue(model.isClosed());
    }
}
