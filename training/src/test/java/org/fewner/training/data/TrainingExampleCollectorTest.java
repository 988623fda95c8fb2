package org.fewner.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.fit.factory.AnalysisEngineFactory;
import org.apache.uima.fit.factory.CollectionReaderFactory;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.jcas.JCas;
import org.fewner.common.FewNerException;
import org.fewner.ner.Mention;
import org.fewner.readers.FewNerReaderBase;
import org.fewner.readers.TwoColumnReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingExampleCollectorTest {

    /** A CAS with words at single-space offsets, one sentence. */
    static JCas cas(String... words) throws Exception {
        JCas j = JCasFactory.createJCas();
        String text = String.join(" ", words);
        j.setDocumentText(text);
        DocumentMetaData.create(j).setDocumentUri("mem:doc");
        int at = 0;
        for (String w : words) {
            new Token(j, at, at + w.length()).addToIndexes();
            at += w.length() + 1;
        }
        new Sentence(j, 0, text.length()).addToIndexes();
        return j;
    }

    static void entity(JCas j, int begin, int end, String value) {
        NamedEntity ne = new NamedEntity(j, begin, end);
        ne.setValue(value);
        ne.addToIndexes();
    }

    static ExampleFiles.Collected runOn(Path dir, int maxWords, String[] labels, JCas... cases)
            throws Exception {
        Path target = dir.resolve("ex.jsonl");
        AnalysisEngine ae =
                AnalysisEngineFactory.createEngine(
                        TrainingExampleCollector.class,
                        TrainingExampleCollector.PARAM_TARGET_LOCATION,
                        target.toString(),
                        TrainingExampleCollector.PARAM_CORPUS,
                        "c",
                        TrainingExampleCollector.PARAM_MAX_WORDS,
                        maxWords,
                        TrainingExampleCollector.PARAM_LOWER_CASE,
                        true,
                        TrainingExampleCollector.PARAM_LABELS,
                        labels);
        for (JCas j : cases) {
            ae.process(j);
        }
        ae.collectionProcessComplete();
        ExampleReport r =
                org.fewner.common.Json.MAPPER.readValue(
                        TrainingExampleCollector.reportPath(target).toFile(), ExampleReport.class);
        return new ExampleFiles.Collected(ExampleFiles.read(target), r);
    }

    @Test
    void entitiesBecomeWordSpansAndEveryDropIsCounted(@TempDir Path dir) throws Exception {
        // "New York Times of Paris": NYT (ORG) overlaps "York" (LOC, dropped); "Paris" unknown
        // label
        JCas a = cas("The", "New", "York", "Times", "of", "Paris");
        entity(a, 4, 18, "ORG");
        entity(a, 8, 12, "LOC");
        entity(a, 22, 27, "GPE");
        entity(a, 22, 27, null);
        JCas tooLong = cas("a", "b", "c", "d", "e", "f", "g");
        entity(tooLong, 0, 1, "ORG");
        ExampleFiles.Collected c = runOn(dir, 6, new String[] {"ORG", "LOC"}, a, tooLong);
        assertEquals(1, c.examples().size());
        TrainingExample ex = c.examples().get(0);
        assertEquals(List.of("the", "new", "york", "times", "of", "paris"), ex.words());
        assertEquals(List.of(new Mention(1, 4, "ORG")), ex.mentions());
        assertEquals("c:ORG", ex.qualifiedType(ex.mentions().get(0)));
        ExampleReport r = c.report();
        assertEquals(2, r.sentencesRead);
        assertEquals(1, r.sentencesKept);
        assertEquals(1, r.sentencesTooLong);
        assertEquals(1, r.overlappingDropped);
        assertEquals(1L, r.unknownLabels.get("GPE"));
        assertEquals(1L, r.unknownLabels.get("null"));
        assertEquals(1, r.entitiesKept);
        assertTrue(r.summary().contains("1 longer than the limit"), r.summary());
    }

    @Test
    void overlapsKeepTheEarliestLongest() {
        List<Mention> kept =
                TrainingExampleCollector.removeOverlaps(
                        List.of(
                                new Mention(2, 3, "B"),
                                new Mention(0, 3, "A"),
                                new Mention(0, 1, "C"),
                                new Mention(3, 5, "D")));
        assertEquals(List.of(new Mention(0, 3, "A"), new Mention(3, 5, "D")), kept);
    }

    @Test
    void readsAnyReadersCases(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("src.txt");
        Files.writeString(f, "John\tB-PER\nlives\tO\nin\tO\nNew\tB-LOC\nYork\tI-LOC\n\nOK\tO\n");
        ExampleFiles.Collected c =
                ExampleFiles.collect(
                        CollectionReaderFactory.createReaderDescription(
                                TwoColumnReader.class,
                                FewNerReaderBase.PARAM_SOURCE_LOCATION,
                                f.toString()),
                        "toy",
                        dir.resolve("out.jsonl"),
                        false,
                        100);
        assertEquals(2, c.examples().size());
        assertEquals(
                List.of(new Mention(0, 1, "PER"), new Mention(3, 5, "LOC")),
                c.examples().get(0).mentions());
        assertEquals(2, c.report().entitiesKept);
    }

    @Test
    void aBadExamplesFileNamesTheLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(
                f, "{\"id\":\"a\",\"corpus\":\"c\",\"words\":[\"x\"],\"mentions\":[]}\n{oops\n");
        FewNerException e = assertThrows(FewNerException.class, () -> ExampleFiles.read(f));
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
    }
}
