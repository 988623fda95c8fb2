package org.fewner.uimaannotator;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.Person;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;
import org.fewner.common.FewNerException;
import org.fewner.type.ScoredNamedEntity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine with a tiny random BERT and a gazetteer test method (no real model needed). */
class FewNerAnnotatorTest {
    @TempDir static Path tmp;
    static Path model;
    static Path support;

    static final String SUPPORT =
            "Marie\tB-PER\nCurie\tI-PER\nvisited\tO\n東京\tB-LOC\n.\tO\n\n"
                    + "Zoe\u0301\tB-PER\nSmith\tI-PER\nmet\tO\nthe\tO\nUN\tB-ORG\n.\tO\n";

    @BeforeAll
    static void setUp() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 32, 1);
        support = tmp.resolve("support.conll");
        Files.writeString(support, SUPPORT);
    }

    static AnalysisEngine engine(Object... extra) throws ResourceInitializationException {
        List<Object> params =
                new ArrayList<>(
                        List.of(
                                FewNerAnnotator.RES_MODEL,
                                FewNerModelResource.description(model.toString()),
                                FewNerAnnotator.PARAM_METHOD,
                                GazetteerMethodProvider.NAME,
                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                support.toString(),
                                FewNerAnnotator.PARAM_SUPPORT_FORMAT,
                                "conll"));
        params.addAll(List.of(extra));
        return createEngine(FewNerAnnotator.class, params.toArray());
    }

    static List<String> spans(JCas jcas) {
        return Docs.spans(jcas);
    }

    @Test
    void emojiCjkAndCombiningAccentsGetExactOffsets() throws Exception {
        String text = "🙂 Marie Curie visited 東京 today .\nZoe\u0301 Smith said 🇫🇷 UN .";
        JCas jcas = Docs.jcas(text, "news");
        AnalysisEngine ae = engine();
        ae.process(jcas);
        int zoe = text.indexOf("Zoe");
        assertEquals(
                List.of(
                        "3 14 PER Marie Curie 0.9 none",
                        "23 25 LOC 東京 0.4 none",
                        zoe + " " + (zoe + 10) + " PER Zoe\u0301 Smith 0.9 none",
                        (zoe + 21) + " " + (zoe + 23) + " ORG UN 0.4 none"),
                spans(jcas));
        for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
            assertInstanceOf(ScoredNamedEntity.class, ne);
        }
        ae.destroy();
    }

    @Test
    void emptyDocumentAndNoEntitiesAreNoOps() throws Exception {
        AnalysisEngine ae = engine();
        JCas empty = JCasFactory.createText("", "en");
        ae.process(empty);
        assertTrue(JCasUtil.select(empty, NamedEntity.class).isEmpty());
        JCas blank = JCasFactory.createText("  \n ", "en");
        ae.process(blank);
        JCas none = Docs.jcas("the city of London was born .", "x");
        ae.process(none);
        assertTrue(JCasUtil.select(none, NamedEntity.class).isEmpty());
        ae.destroy();
    }

    @Test
    void missingSentenceOrTokenLayerNamesTheSegmenter() throws Exception {
        AnalysisEngine ae = engine();
        JCas noSentences = JCasFactory.createText("Marie Curie visited Paris .", "en");
        Docs.segment(noSentences, false, true);
        AnalysisEngineProcessException e =
                assertThrows(AnalysisEngineProcessException.class, () -> ae.process(noSentences));
        assertInstanceOf(FewNerException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("no Sentence annotations"), e.toString());
        assertTrue(e.getCause().getMessage().contains("OpenNlpSegmenter"));
        JCas noTokens = JCasFactory.createText("Marie Curie visited Paris .", "en");
        Docs.segment(noTokens, true, false);
        e = assertThrows(AnalysisEngineProcessException.class, () -> ae.process(noTokens));
        assertTrue(e.getCause().getMessage().contains("no Token annotations"), e.toString());
        ae.destroy();
    }

    @Test
    void overlapsAreRemovedAndThresholdApplies() throws Exception {
        AnalysisEngine ae =
                engine(
                        FewNerAnnotator.PARAM_METHOD_OPTIONS,
                        new String[] {"overlap=true"},
                        FewNerAnnotator.PARAM_CONFIDENCE_THRESHOLD,
                        0.45f);
        JCas jcas = Docs.jcas("Marie Curie visited 東京 today .", "x");
        ae.process(jcas);
        // the method resolves overlaps (the recogniser's contract): "Marie Curie visited" (0.5)
        // overlaps "Marie Curie" (0.9) and goes; "東京 today" (0.5) wins over "東京" (0.4), which
        // the threshold would drop anyway
        assertEquals(
                List.of("0 11 PER Marie Curie 0.9 none", "20 28 LOC 東京 today 0.5 none"),
                spans(jcas));
        ae.destroy();
    }

    @Test
    void typesRestrictAndMustHaveExamples() throws Exception {
        AnalysisEngine ae = engine(FewNerAnnotator.PARAM_ENTITY_TYPES, new String[] {"LOC", "ORG"});
        JCas jcas = Docs.jcas("Marie Curie visited 東京 .", "x");
        ae.process(jcas);
        assertEquals(List.of("20 22 LOC 東京 0.4 none"), spans(jcas));
        ae.destroy();
        ResourceInitializationException e =
                assertThrows(
                        ResourceInitializationException.class,
                        () -> engine(FewNerAnnotator.PARAM_ENTITY_TYPES, new String[] {"MISC"}));
        assertTrue(
                messages(e).contains("entity type 'MISC' has no example in the support file"),
                messages(e));
    }

    @Test
    void mappingMakesDkproTypes() throws Exception {
        Path map = tmp.resolve("ner.map");
        Files.writeString(
                map,
                "PER=de.tudarmstadt.ukp.dkpro.core.api.ner.type.Person\n"
                        + "*=org.fewner.type.ScoredNamedEntity\n");
        AnalysisEngine ae =
                engine(FewNerAnnotator.PARAM_NAMED_ENTITY_MAPPING_LOCATION, map.toString());
        JCas jcas = Docs.jcas("Marie Curie visited 東京 .", "x");
        ae.process(jcas);
        List<NamedEntity> all = new ArrayList<>(JCasUtil.select(jcas, NamedEntity.class));
        assertEquals(2, all.size());
        assertInstanceOf(Person.class, all.get(0));
        assertEquals("PER", all.get(0).getValue());
        assertInstanceOf(ScoredNamedEntity.class, all.get(1));
        ae.destroy();
    }

    @Test
    void mappingWithoutFallbackNamesTheLabel() throws Exception {
        Path map = tmp.resolve("partial.map");
        Files.writeString(map, "PER=de.tudarmstadt.ukp.dkpro.core.api.ner.type.Person\n");
        AnalysisEngine ae =
                engine(FewNerAnnotator.PARAM_NAMED_ENTITY_MAPPING_LOCATION, map.toString());
        JCas jcas = Docs.jcas("Marie Curie visited 東京 .", "x");
        AnalysisEngineProcessException e =
                assertThrows(AnalysisEngineProcessException.class, () -> ae.process(jcas));
        assertTrue(
                messages(e).contains("label 'LOC': No fallback (*) mapping defined"), messages(e));
        ae.destroy();
    }

    @Test
    void adapterChosenPerDocumentFromMetadata() throws Exception {
        Path a = TinyModels.adapter(model, tmp.resolve("adapter-a"), 11);
        Path b = TinyModels.adapter(model, tmp.resolve("adapter-b"), 12);
        AnalysisEngine ae =
                engine(
                        FewNerAnnotator.PARAM_ADAPTERS,
                        new String[] {"news=" + a, "bio=" + b},
                        FewNerAnnotator.PARAM_ADAPTER_SELECTOR,
                        "collectionId",
                        FewNerAnnotator.PARAM_ADAPTER_MAPPING,
                        new String[] {"reuters=news", "pubmed=bio", "*=none"});
        String text = "Marie Curie visited 東京 .";
        for (String[] c :
                new String[][] {{"reuters", "news"}, {"pubmed", "bio"}, {"other", "none"}}) {
            JCas jcas = Docs.jcas(text, c[0]);
            ae.process(jcas);
            for (ScoredNamedEntity ne : JCasUtil.select(jcas, ScoredNamedEntity.class)) {
                assertEquals(c[1], ne.getAdapterId(), c[0]);
            }
            assertEquals(2, JCasUtil.select(jcas, ScoredNamedEntity.class).size());
        }
        ae.destroy();
        AnalysisEngine fixed =
                engine(
                        FewNerAnnotator.PARAM_ADAPTERS,
                        new String[] {"news=" + a},
                        FewNerAnnotator.PARAM_ADAPTER,
                        "news");
        JCas jcas = Docs.jcas(text, "pubmed");
        fixed.process(jcas);
        assertEquals(
                "news",
                JCasUtil.select(jcas, ScoredNamedEntity.class).iterator().next().getAdapterId());
        fixed.destroy();
        ResourceInitializationException e =
                assertThrows(
                        ResourceInitializationException.class,
                        () -> engine(FewNerAnnotator.PARAM_ADAPTER, "missing"));
        assertTrue(messages(e).contains("unknown adapter 'missing'"), messages(e));
    }

    @Test
    void adapterForAnotherBaseFailsAtInitialise() throws Exception {
        Path other = TinyModels.bert(tmp.resolve("other-base"), 8, 32, 2);
        Path foreign = TinyModels.adapter(other, tmp.resolve("foreign"), 3);
        ResourceInitializationException e =
                assertThrows(
                        ResourceInitializationException.class,
                        () ->
                                engine(
                                        FewNerAnnotator.PARAM_ADAPTERS,
                                        new String[] {"foreign=" + foreign},
                                        FewNerAnnotator.PARAM_ADAPTER,
                                        "foreign"));
        assertTrue(messages(e).contains("adapter does not fit the model"), messages(e));
        assertTrue(messages(e).contains(foreign.toString()), messages(e));
    }

    @Test
    void methodsAreToldWhichModelTheyServe() {
        // the span method looks up the adapter shipped for the model the user named; before the fix
        // the engine did not pass it on and the method looked for the cased default's adapter
        String m =
                messages(
                        assertThrows(
                                ResourceInitializationException.class,
                                () -> engine(FewNerAnnotator.PARAM_METHOD, "span")));
        assertTrue(m.contains("no adapter shipped for --model " + model), m);
    }

    @Test
    void badParametersAreClearErrors() {
        assertTrue(
                messages(
                                assertThrows(
                                        ResourceInitializationException.class,
                                        () -> engine(FewNerAnnotator.PARAM_METHOD, "nope")))
                        .contains("method 'nope': unknown"));
        assertTrue(
                messages(
                                assertThrows(
                                        ResourceInitializationException.class,
                                        () ->
                                                engine(
                                                        FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                                        tmp.resolve("absent.conll").toString())))
                        .contains("absent.conll: no such support file"));
        assertTrue(
                messages(
                                assertThrows(
                                        ResourceInitializationException.class,
                                        () ->
                                                engine(
                                                        FewNerAnnotator.PARAM_ADAPTERS,
                                                        new String[] {"noequals"})))
                        .contains("adapters: expected key=value"));
    }

    @Test
    void oneModelPerJvmAcrossEngines() throws Exception {
        AnalysisEngine first = engine();
        int loads = SharedModel.loads();
        AnalysisEngine second = engine();
        AnalysisEngine third =
                createEngine(
                        FewNerAnnotator.class,
                        FewNerAnnotator.PARAM_MODEL_LOCATION,
                        model.toString(),
                        FewNerAnnotator.PARAM_METHOD,
                        GazetteerMethodProvider.NAME,
                        FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                        support.toString());
        assertEquals(loads, SharedModel.loads());
        first.destroy();
        second.destroy();
        third.destroy();
    }

    static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) sb.append(c.getMessage()).append(" | ");
        return sb.toString();
    }
}
