package org.fewner.uimaannotator;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.cas.CAS;
import org.apache.uima.cas.Feature;
import org.apache.uima.cas.Type;
import org.apache.uima.cas.text.AnnotationFS;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.factory.TypeSystemDescriptionFactory;
import org.apache.uima.fit.util.CasUtil;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.metadata.TypeSystemDescription;
import org.apache.uima.util.CasCreationUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine in an Apache cTAKES pipeline (issue 31): a CAS built with cTAKES's type system (from
 * org.apache.ctakes:ctakes-type-system, test scope: the engine itself knows cTAKES's types only by
 * name), sentences and tokens read from cTAKES's {@code Sentence} and {@code BaseToken}, mentions
 * written through the shipped mapping as cTAKES's {@code IdentifiedAnnotation} subtypes with their
 * float {@code confidence}.
 */
class CtakesTypesTest {
    @TempDir static Path tmp;
    static Path model;
    static Path support;

    static final String TEXTSEM = "org.apache.ctakes.typesystem.type.textsem.";

    static final String SUPPORT =
            "Patient\tO\nhas\tO\nchest\tB-problem\npain\tI-problem\n.\tO\n\n"
                    + "Started\tO\naspirin\tB-treatment\nafter\tO\nan\tO\nECG\tB-test\n.\tO\n";

    @BeforeAll
    static void setUp() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 32, 21);
        support = tmp.resolve("clinical.conll");
        Files.writeString(support, SUPPORT);
    }

    /**
     * cTAKES's type system plus the engine's own (DKPro's and FewNER's), as a pipeline's CAS has.
     */
    static JCas ctakesCas(String text) throws Exception {
        TypeSystemDescription ctakes =
                TypeSystemDescriptionFactory.createTypeSystemDescription(
                        "org.apache.ctakes.typesystem.types.TypeSystem");
        TypeSystemDescription merged =
                CasCreationUtils.mergeTypeSystems(
                        List.of(
                                ctakes,
                                TypeSystemDescriptionFactory.createTypeSystemDescription()));
        JCas jcas = JCasFactory.createJCas(merged);
        jcas.setDocumentText(text);
        jcas.setDocumentLanguage("en");
        return jcas;
    }

    /** A cTAKES-style segmenter: Sentence per line, a BaseToken subtype per word, by type name. */
    static void ctakesSegment(CAS cas) {
        Type sentence = CasUtil.getType(cas, SegmentLayers.CTAKES_SENTENCE);
        Type word = CasUtil.getType(cas, "org.apache.ctakes.typesystem.type.syntax.WordToken");
        Type newline =
                CasUtil.getType(cas, "org.apache.ctakes.typesystem.type.syntax.NewlineToken");
        String text = cas.getDocumentText();
        Matcher lines = Pattern.compile("[^\\n]+").matcher(text);
        while (lines.find()) {
            cas.addFsToIndexes(cas.createAnnotation(sentence, lines.start(), lines.end()));
        }
        Matcher words = Pattern.compile("\\S+|\\n").matcher(text);
        while (words.find()) {
            Type t = words.group().equals("\n") ? newline : word;
            cas.addFsToIndexes(cas.createAnnotation(t, words.start(), words.end()));
        }
    }

    static AnalysisEngine engine(Object... extra) throws Exception {
        List<Object> p =
                new ArrayList<>(
                        List.of(
                                FewNerAnnotator.PARAM_MODEL_LOCATION,
                                model.toString(),
                                FewNerAnnotator.PARAM_METHOD,
                                GazetteerMethodProvider.NAME,
                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                support.toString(),
                                FewNerAnnotator.PARAM_SENTENCE_TYPE,
                                SegmentLayers.CTAKES_SENTENCE,
                                FewNerAnnotator.PARAM_TOKEN_TYPE,
                                SegmentLayers.CTAKES_TOKEN));
        p.addAll(List.of(extra));
        return createEngine(FewNerAnnotator.class, p.toArray());
    }

    /** begin end type confidence text of every IdentifiedAnnotation. */
    static List<String> mentions(CAS cas) {
        Type identified = CasUtil.getType(cas, TEXTSEM + "IdentifiedAnnotation");
        Feature confidence = identified.getFeatureByBaseName("confidence");
        assertEquals(CAS.TYPE_NAME_FLOAT, confidence.getRange().getName());
        List<String> out = new ArrayList<>();
        for (AnnotationFS a : CasUtil.select(cas, identified)) {
            out.add(
                    a.getBegin()
                            + " "
                            + a.getEnd()
                            + " "
                            + a.getType().getShortName()
                            + " "
                            + a.getFloatValue(confidence)
                            + " "
                            + a.getCoveredText());
        }
        return out;
    }

    @Test
    void readsCtakesLayersAndWritesIdentifiedAnnotationsWithConfidence() throws Exception {
        String text =
                "The patient reports chest pain since Monday .\n"
                        + "Aspirin was started ; an ECG is planned .";
        JCas jcas = ctakesCas(text);
        ctakesSegment(jcas.getCas());
        AnalysisEngine ae =
                engine(
                        FewNerAnnotator.PARAM_NAMED_ENTITY_MAPPING_LOCATION,
                        NamedEntityMappings.CTAKES);
        ae.process(jcas);
        int ecg = text.indexOf("ECG");
        assertEquals(
                List.of(
                        "20 30 DiseaseDisorderMention 0.9 chest pain",
                        ecg + " " + (ecg + 3) + " ProcedureMention 0.4 ECG"),
                mentions(jcas.getCas()));
        // "Aspirin" (capitalised) is not the support's "aspirin": the gazetteer matches exactly
        assertTrue(JCasUtil.select(jcas, NamedEntity.class).isEmpty());
        // the cTAKES JCas classes (UIMA 3 build of 6.0.0) see the same annotations
        var disorders =
                JCasUtil.select(
                        jcas,
                        org.apache.ctakes.typesystem.type.textsem.DiseaseDisorderMention.class);
        assertEquals(1, disorders.size());
        assertEquals(0.9f, disorders.iterator().next().getConfidence(), 1e-6);
        ae.destroy();
    }

    @Test
    void withoutAMappingCtakesInputGivesScoredNamedEntities() throws Exception {
        String text = "Started aspirin after an ECG .";
        JCas jcas = ctakesCas(text);
        ctakesSegment(jcas.getCas());
        AnalysisEngine ae = engine();
        ae.process(jcas);
        assertEquals(
                List.of("8 15 treatment aspirin 0.4 none", "25 28 test ECG 0.4 none"),
                Docs.spans(jcas));
        assertTrue(mentions(jcas.getCas()).isEmpty());
        ae.destroy();
    }

    @Test
    void aCasWithoutTheConfiguredTypesNamesWhatToAdd() throws Exception {
        AnalysisEngine ae = engine();
        // a CAS without cTAKES's types (cTAKES's jar is on this class path, so not auto-detected)
        JCas plain =
                JCasFactory.createJCas(
                        TypeSystemDescriptionFactory.createTypeSystemDescription(
                                "desc.type.FewNerTypes"));
        plain.setDocumentText("Started aspirin .");
        AnalysisEngineProcessException e =
                assertThrows(AnalysisEngineProcessException.class, () -> ae.process(plain));
        String m = FewNerAnnotatorTest.messages(e);
        assertTrue(
                m.contains(
                        "sentenceType org.apache.ctakes.typesystem.type.textspan.Sentence: no such"
                                + " type in the CAS's type system"),
                m);
        JCas unsegmented = ctakesCas("Started aspirin .");
        e = assertThrows(AnalysisEngineProcessException.class, () -> ae.process(unsegmented));
        m = FewNerAnnotatorTest.messages(e);
        assertTrue(m.contains("no Sentence annotations"), m);
        assertTrue(m.contains("cTAKES's SentenceDetector"), m);
        ae.destroy();
        assertNotNull(NamedEntityMappings.CTAKES);
    }
}
