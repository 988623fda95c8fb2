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
 * examples' mains use the default model). The entities of a random model mean nothing; what is
 * checked is the plumbing: files written, offsets exact, adapters chosen per document.
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
        RawTextPipeline.run(in, SUPPORT, "conll", model.toString(), LAYER, out);

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
