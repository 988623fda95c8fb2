package org.fewner.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.common.FewNerException;
import org.fewner.type.ScoredNamedEntity;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one segment-then-recognise loop on a tiny random BERT: sentences, tokens and entities with
 * exact offsets; the same entities for a CAS segmented beforehand ({@link
 * DocumentAnnotator#recognise}); the settings builder's checks and value equality.
 */
class DocumentAnnotatorTest {
    @TempDir static Path tmp;
    static Path model;
    static Path support;

    static final String SUPPORT =
            "marie\tB-PER\ncurie\tI-PER\nvisited\tO\nparis\tB-LOC\n.\tO\n\n"
                    + "john\tB-PER\nsmith\tI-PER\nmet\tO\nthe\tO\nun\tB-ORG\nin\tO\nlondon\tB-LOC\n.\tO\n";

    static final String TEXT =
            "marie curie visited paris. john smith met the un in london.\n"
                    + "the city of berlin and tokyo.";

    @BeforeAll
    static void model() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 64, 7);
        support = Files.writeString(tmp.resolve("support.conll"), SUPPORT);
    }

    static AnnotatePipeline.Settings settings() {
        // the tiny random model has no span adapter: the no-training method
        return AnnotatePipeline.settings()
                .model(model.toString())
                .method("frozen-prototype")
                .methodOptions(List.of("layer=2"))
                .support(support.toString(), "conll")
                .batchSize(2)
                .build();
    }

    static List<String> entities(JCas jcas) {
        List<String> out = new ArrayList<>();
        for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
            ScoredNamedEntity s = (ScoredNamedEntity) ne;
            out.add(
                    ne.getBegin()
                            + " "
                            + ne.getEnd()
                            + " "
                            + ne.getValue()
                            + " "
                            + s.getConfidence()
                            + " "
                            + ne.getCoveredText());
        }
        return out;
    }

    @Test
    void segmentsThenRecognisesAndServesOneDocumentAfterAnother() throws Exception {
        try (DocumentAnnotator annotator = DocumentAnnotator.create(settings())) {
            JCas jcas = annotator.annotate(TEXT, "en");
            assertEquals(TEXT, jcas.getDocumentText());
            assertTrue(JCasUtil.select(jcas, Sentence.class).size() >= 2);
            assertTrue(JCasUtil.select(jcas, Token.class).size() >= 20);
            List<String> first = entities(jcas);
            assertFalse(first.isEmpty(), "no entity");
            for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
                assertEquals(TEXT.substring(ne.getBegin(), ne.getEnd()), ne.getCoveredText());
            }
            // the JCas is reused: a second document replaces the first one's annotations
            JCas other = annotator.annotate("paris.", "en");
            assertEquals("paris.", other.getDocumentText());
            assertEquals(
                    first,
                    entities(
                            annotator.annotate(
                                    j -> {
                                        j.setDocumentText(TEXT);
                                        j.setDocumentLanguage("en");
                                        DocumentMetaData.create(j).setDocumentId("d1");
                                    })));
            assertEquals(3, annotator.documents());
            assertTrue(annotator.segmentationNanos() > 0 && annotator.recognitionNanos() > 0);

            // an already segmented CAS (as the HTTP server receives it): the recogniser alone
            JCas segmented = JCasFactory.createJCas();
            segmented.setDocumentText(TEXT);
            segmented.setDocumentLanguage("en");
            JCas reference = annotator.annotate(TEXT, "en");
            for (Sentence s : JCasUtil.select(reference, Sentence.class)) {
                new Sentence(segmented, s.getBegin(), s.getEnd()).addToIndexes();
            }
            for (Token t : JCasUtil.select(reference, Token.class)) {
                new Token(segmented, t.getBegin(), t.getEnd()).addToIndexes();
            }
            annotator.recognise(segmented);
            assertEquals(first, entities(segmented));
        }
    }

    @Test
    void settingsBuilderChecksAndComparesByValue() {
        assertEquals(settings(), settings());
        assertEquals(settings().hashCode(), settings().hashCode());
        AnnotatePipeline.Settings s = settings();
        assertEquals("frozen-prototype", s.method());
        assertEquals(16, AnnotatePipeline.settings().support("s", "conll").build().batchSize());
        assertEquals("span", AnnotatePipeline.settings().support("s", "conll").build().method());
        assertEquals("cpu", AnnotatePipeline.settings().support("s", "conll").build().device());
        assertEquals("default", AnnotatePipeline.settings().support("s", "conll").build().model());
        assertNotEquals(
                s,
                AnnotatePipeline.settings()
                        .model(model.toString())
                        .methodOptions(List.of("layer=2"))
                        .support(support.toString(), "conll")
                        .batchSize(2)
                        .threshold(0.5f)
                        .build());

        FewNerException e =
                assertThrows(FewNerException.class, () -> AnnotatePipeline.settings().build());
        assertEquals("support: not set (expected a support file and its format)", e.getMessage());

        // one adapter serves every document; several need a default or a selector
        AnnotatePipeline.Settings one =
                AnnotatePipeline.settings().support("s", "conll").adapter("a", "/a").build();
        assertEquals("a", one.adapter());
        assertEquals(Map.of("a", "/a"), one.adapters());
        e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                AnnotatePipeline.settings()
                                        .support("s", "conll")
                                        .adapter("a", "/a")
                                        .adapter("b", "/b")
                                        .build());
        assertTrue(e.getMessage().startsWith("adapters [a, b]: several adapters"), e.getMessage());
        assertEquals(
                "b",
                AnnotatePipeline.settings()
                        .support("s", "conll")
                        .adapter("a", "/a")
                        .adapter("b", "/b")
                        .defaultAdapter("b")
                        .build()
                        .adapter());
        assertNull(
                AnnotatePipeline.settings()
                        .support("s", "conll")
                        .adapter("a", "/a")
                        .defaultAdapter("none")
                        .build()
                        .adapter());
        AnnotatePipeline.Settings selected =
                AnnotatePipeline.settings()
                        .support("s", "conll")
                        .adapter("a", "/a")
                        .adapter("b", "/b")
                        .adapterSelector("collectionId", List.of("x=a", "y=b"))
                        .build();
        assertNull(selected.adapter());
        assertEquals("collectionId", selected.adapterSelector());
        assertEquals(List.of("x=a", "y=b"), selected.adapterMapping());
    }
}
