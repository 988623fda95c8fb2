package org.fewner.uimaannotator;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;
import org.fewner.common.FewNerException;
import org.fewner.ner.SupportSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Support sets at run time: from a class-path resource or a URL, and from the gold annotations a
 * document's CAS carries in a view (tiny random BERT, gazetteer test method).
 */
class SupportSourcesTest {
    @TempDir static Path tmp;
    static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 32, 1);
    }

    static AnalysisEngine engine(Object... params) throws ResourceInitializationException {
        List<Object> all =
                new ArrayList<>(
                        List.of(
                                FewNerAnnotator.RES_MODEL,
                                FewNerModelResource.description(model.toString()),
                                FewNerAnnotator.PARAM_METHOD,
                                GazetteerMethodProvider.NAME));
        all.addAll(List.of(params));
        return createEngine(FewNerAnnotator.class, all.toArray());
    }

    @Test
    void aClasspathResourceAndAFileUrlAreSupportLocations() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cp/org/example"));
        Files.writeString(dir.resolve("support.conll"), FewNerAnnotatorTest.SUPPORT);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader cl =
                new URLClassLoader(new URL[] {tmp.resolve("cp").toUri().toURL()}, before)) {
            Thread.currentThread().setContextClassLoader(cl);
            for (String location :
                    List.of(
                            "classpath:org/example/support.conll",
                            dir.resolve("support.conll").toUri().toString(),
                            "jar:" + jar(dir.resolve("support.conll")) + "!/support.conll")) {
                AnalysisEngine ae =
                        engine(
                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                location,
                                FewNerAnnotator.PARAM_SUPPORT_FORMAT,
                                "conll");
                JCas jcas = Docs.jcas("Marie Curie visited the UN .", "d");
                ae.process(jcas);
                assertEquals(
                        List.of("0 11 PER Marie Curie 0.9 none", "24 26 ORG UN 0.4 none"),
                        Docs.spans(jcas),
                        location);
                ae.destroy();
            }
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    /** A jar holding {@code file} at its root, as a {@code file:} URL. */
    private static String jar(Path file) throws Exception {
        Path jar = tmp.resolve("support.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("support.conll"));
            out.write(Files.readAllBytes(file));
            out.closeEntry();
        }
        return jar.toUri().toString();
    }

    @Test
    void aMissingResourceIsOneLineNamingIt() {
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () -> SupportFiles.read("classpath:no/such.conll", "conll", List.of()));
        assertEquals("classpath:no/such.conll: no such resource on the class path", e.getMessage());
        FewNerException bad =
                assertThrows(
                        FewNerException.class,
                        () -> SupportFiles.read("nosuchscheme://x/y", "conll", List.of()));
        assertTrue(bad.getMessage().startsWith("nosuchscheme://x/y: not a file"), bad.getMessage());
    }

    /** A document whose view "support" holds one labelled sentence: "Ada Lovelace" is a PER. */
    static JCas withSupportView(String text, String supportText, String label) throws Exception {
        JCas jcas = Docs.jcas(text, "doc");
        JCas view = jcas.createView("support");
        view.setDocumentText(supportText);
        Docs.segment(view, true, true);
        int b = supportText.indexOf("Ada");
        NamedEntity ne = new NamedEntity(view, b, b + "Ada Lovelace".length());
        ne.setValue(label);
        ne.addToIndexes();
        return jcas;
    }

    @Test
    void theDocumentsOwnSupportViewDecidesWhatIsFound() throws Exception {
        AnalysisEngine ae = engine(FewNerAnnotator.PARAM_SUPPORT_VIEW, "support");
        JCas a = withSupportView("Ada Lovelace met Marie Curie .", "Ada Lovelace wrote .", "PER");
        ae.process(a);
        assertEquals(List.of("0 12 PER Ada Lovelace 0.9 none"), Docs.spans(a));
        // another document, other examples: nothing of the first one's support reaches it
        JCas b =
                withSupportView("Ada Lovelace met Marie Curie .", "Ada Lovelace wrote .", "WRITER");
        ae.process(b);
        assertEquals(List.of("0 12 WRITER Ada Lovelace 0.9 none"), Docs.spans(b));
        ae.destroy();
    }

    @Test
    void aDocumentWithoutTheViewFallsBackToTheLocationOrIsOneLineError() throws Exception {
        Path support = Files.writeString(tmp.resolve("s.conll"), FewNerAnnotatorTest.SUPPORT);
        AnalysisEngine both =
                engine(
                        FewNerAnnotator.PARAM_SUPPORT_VIEW,
                        "support",
                        FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                        support.toString());
        JCas plain = Docs.jcas("Marie Curie visited .", "plain");
        both.process(plain);
        assertEquals(List.of("0 11 PER Marie Curie 0.9 none"), Docs.spans(plain));
        both.destroy();

        AnalysisEngine viewOnly = engine(FewNerAnnotator.PARAM_SUPPORT_VIEW, "support");
        JCas none = Docs.jcas("Marie Curie visited .", "plain");
        AnalysisEngineProcessException e =
                assertThrows(AnalysisEngineProcessException.class, () -> viewOnly.process(none));
        assertInstanceOf(FewNerException.class, e.getCause());
        assertTrue(
                e.getCause().getMessage().contains("no view 'support' with the document's support"),
                e.getCause().getMessage());
        viewOnly.destroy();

        ResourceInitializationException neither =
                assertThrows(ResourceInitializationException.class, () -> engine());
        Throwable cause = neither;
        while (cause != null && !(cause instanceof FewNerException)) cause = cause.getCause();
        assertInstanceOf(FewNerException.class, cause, String.valueOf(neither));
        assertTrue(cause.getMessage().startsWith("supportLocation: not set"), cause.getMessage());
    }

    @Test
    void aViewMentionOffTokenBoundariesNamesTheDocumentAndView() throws Exception {
        JCas jcas = Docs.jcas("Ada Lovelace met Marie Curie .", "doc");
        JCas view = jcas.createView("support");
        view.setDocumentText("Ada Lovelace wrote .");
        Docs.segment(view, true, true);
        NamedEntity ne = new NamedEntity(view, 1, 12);
        ne.setValue("PER");
        ne.addToIndexes();
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () -> SupportFiles.fromCas("doc, view 'support'", view, List.of()));
        assertTrue(
                e.getMessage().startsWith("doc, view 'support': NamedEntity [1, 12)"),
                e.getMessage());
        SupportSet ok =
                SupportFiles.fromCas(
                        "x",
                        withSupportView("a .", "Ada Lovelace .", "P").getView("support"),
                        List.of());
        assertEquals(List.of("P"), ok.types());
    }
}
