package org.fewner.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.uima.cas.impl.XmiCasDeserializer;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs each example on the shipped example data with a tiny random BERT (so the test is quick; the
 * examples' mains use the default model and the default method, span). The entities of a random
 * model mean nothing; what is checked is the plumbing: files written, offsets exact, adapters
 * chosen per document, cTAKES's types in and out. With {@code -Dfewner.heavyTests=true} (or the
 * default model cached) the examples also run as their mains do: the default model, the default
 * method.
 */
class ExamplesTest {
    @TempDir static Path tmp;
    static Path model;
    static final Path DATA = Path.of("data");
    static final Path SUPPORT = DATA.resolve("news-support.conll");
    static final List<String> LAYER = List.of("layer=2");

    @BeforeAll
    static void model() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 64, 4);
    }

    @Test
    void rawTextPipelineWritesXmiAndConll() throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        Files.copy(DATA.resolve("news.txt"), in.resolve("news.txt"));
        Path out = tmp.resolve("out");
        // the tiny random model has no span adapter: the no-training method
        RawTextPipeline.run(in, SUPPORT, "conll", model.toString(), "frozen-prototype", LAYER, out);

        Path xmi = out.resolve("xmi/news.txt.xmi");
        assertTrue(
                Files.isRegularFile(xmi), String.valueOf(Files.list(out.resolve("xmi")).toList()));
        JCas jcas = JCasFactory.createJCas();
        try (InputStream s = Files.newInputStream(xmi)) {
            XmiCasDeserializer.deserialize(s, jcas.getCas());
        }
        String text = Files.readString(DATA.resolve("news.txt"));
        assertEquals(text, jcas.getDocumentText());
        List<NamedEntity> entities = List.copyOf(JCasUtil.select(jcas, NamedEntity.class));
        assertFalse(entities.isEmpty());
        for (NamedEntity ne : entities) {
            assertEquals(text.substring(ne.getBegin(), ne.getEnd()), ne.getCoveredText());
        }
        Path conll = out.resolve("conll/news.conll");
        assertTrue(
                Files.isRegularFile(conll),
                String.valueOf(Files.list(out.resolve("conll")).toList()));
        long begins = Files.readAllLines(conll).stream().filter(l -> l.contains("\tB-")).count();
        assertEquals(entities.size(), begins);
    }

    @Test
    void clinicalPipelineWritesCtakesMentionsWithConfidence() throws Exception {
        String note = Files.readString(DATA.resolve("clinical-note.txt"));
        List<ClinicalPipeline.Mention> mentions =
                ClinicalPipeline.run(
                        note,
                        DATA.resolve("clinical-support.conll"),
                        model.toString(),
                        "frozen-prototype",
                        LAYER);
        assertFalse(mentions.isEmpty());
        List<String> types =
                List.of("DiseaseDisorderMention", "MedicationMention", "ProcedureMention");
        for (ClinicalPipeline.Mention m : mentions) {
            assertEquals(note.substring(m.begin(), m.end()), m.text(), m.toString());
            assertTrue(types.contains(m.type()), m.toString());
            assertTrue(m.confidence() > 0 && m.confidence() <= 1, m.toString());
        }
    }

    /** Whether the default model may be used: heavy tests asked for, or the model cached. */
    static boolean defaultModel() {
        return Boolean.getBoolean("fewner.heavyTests")
                || org.fewner.llm.hub.DefaultModels.isCached("default");
    }

    @Test
    void rawTextPipelineRunsTheDefaultMethodOnTheDefaultModel() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                defaultModel(),
                "default model not cached and -Dfewner.heavyTests not set: skipped");
        Path in = tmp.resolve("in-default");
        Files.createDirectories(in);
        Files.copy(DATA.resolve("news.txt"), in.resolve("news.txt"));
        Path out = tmp.resolve("out-default");
        RawTextPipeline.run(in, SUPPORT, "conll", "default", null, List.of(), out);
        List<String> lines = Files.readAllLines(out.resolve("conll/news.conll"));
        // the README's first command: 16 entities on the news text with the shipped span adapter
        assertEquals(16, lines.stream().filter(l -> l.contains("\tB-")).count(), lines.toString());
        assertTrue(lines.contains("Schmidt\tI-PER"), lines.toString());
    }

    @Test
    void clinicalPipelineRunsTheDefaultMethodOnTheDefaultModel() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                defaultModel(),
                "default model not cached and -Dfewner.heavyTests not set: skipped");
        String note = Files.readString(DATA.resolve("clinical-note.txt"));
        List<ClinicalPipeline.Mention> mentions =
                ClinicalPipeline.run(
                        note, DATA.resolve("clinical-support.conll"), "default", null, List.of());
        mentions.forEach(m -> System.err.println("clinical: " + m));
        assertTrue(mentions.size() >= 5, mentions.toString());
        for (ClinicalPipeline.Mention m : mentions) {
            assertEquals(note.substring(m.begin(), m.end()), m.text(), m.toString());
        }
    }

    @Test
    void twoAdaptersChosenPerDocument() throws Exception {
        Path news = TinyModels.adapter(model, tmp.resolve("news-adapter"), 1);
        Path bio = TinyModels.adapter(model, tmp.resolve("bio-adapter"), 2);
        String text = "Maria Santos visited Lisbon and met Peter Novak of Siemens in Warsaw .";
        List<List<String>> out =
                TwoAdaptersPerDocument.run(
                        model.toString(),
                        news,
                        bio,
                        SUPPORT,
                        "conll",
                        "frozen-prototype", // random LoRA adapters, no span heads
                        LAYER,
                        List.of(
                                new TwoAdaptersPerDocument.Doc("news", text),
                                new TwoAdaptersPerDocument.Doc("bio", text),
                                new TwoAdaptersPerDocument.Doc("other", text)));
        String[] expected = {"news", "bio", "none"};
        for (int i = 0; i < 3; i++) {
            assertFalse(out.get(i).isEmpty(), "document " + i);
            for (String line : out.get(i)) {
                assertTrue(line.startsWith(expected[i] + " "), line);
            }
        }
    }
}
