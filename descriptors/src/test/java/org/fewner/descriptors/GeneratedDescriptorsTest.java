package org.fewner.descriptors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.uima.UIMAFramework;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.analysis_engine.AnalysisEngineDescription;
import org.apache.uima.cas.CAS;
import org.apache.uima.collection.CollectionReader;
import org.apache.uima.collection.CollectionReaderDescription;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceSpecifier;
import org.apache.uima.resource.metadata.ConfigurationParameterSettings;
import org.apache.uima.util.XMLInputSource;
import org.fewner.uimaannotator.Docs;
import org.fewner.uimaannotator.GazetteerMethodProvider;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Every XML descriptor that uimafit-maven-plugin generated for FewNER's components is read with
 * plain UIMA (no uimaFIT factories: as CPE, UIMA-AS or Ruta users do), instantiated and run on a
 * small CAS. A component without a case here fails the test.
 */
class GeneratedDescriptorsTest {
    @TempDir Path tmp;

    static final String CONLL2003 =
            "-DOCSTART- -X- -X- O\n\nMarie NNP B-NP B-PER\nCurie NNP I-NP I-PER\n"
                    + "visited VBD B-VP O\nParis NNP B-NP B-LOC\n. . O O\n";
    static final String TWO_COLUMN = "Marie\tB-PER\nCurie\tI-PER\nvisited\tO\nParis\tB-LOC\n.\tO\n";
    static final String EPISODE =
            "{\"support\": {\"word\": [[\"marie\", \"visited\", \"paris\"]], \"label\":"
                    + " [[\"person\", \"O\", \"location\"]]}, \"query\": {\"word\": [[\"john\","
                    + " \"left\"]], \"label\": [[\"person\", \"O\"]]}, \"types\": [\"person\","
                    + " \"location\"]}\n";

    /** The generated descriptors on the class path, as resource paths. */
    static Set<String> generated() throws Exception {
        Set<String> out = new TreeSet<>();
        for (Resource r :
                new PathMatchingResourcePatternResolver()
                        .getResources("classpath*:org/fewner/**/*.xml")) {
            String url = r.getURL().toString();
            // inside a jar (a module's packaged jar or an installed one) the resource path follows
            // "!/";
            // in a classes directory it follows "/classes/"
            int bang = url.lastIndexOf("!/");
            int classes = url.lastIndexOf("/classes/");
            out.add(
                    bang >= 0
                            ? url.substring(bang + 2)
                            : url.substring(classes + "/classes/".length()));
        }
        return out;
    }

    static ResourceSpecifier parse(String path) throws Exception {
        URL url = GeneratedDescriptorsTest.class.getClassLoader().getResource(path);
        return UIMAFramework.getXMLParser().parseResourceSpecifier(new XMLInputSource(url));
    }

    static CollectionReader reader(String path, Map<String, Object> params) throws Exception {
        CollectionReaderDescription d = (CollectionReaderDescription) parse(path);
        ConfigurationParameterSettings s =
                d.getCollectionReaderMetaData().getConfigurationParameterSettings();
        params.forEach(s::setParameterValue);
        return UIMAFramework.produceCollectionReader(d);
    }

    static AnalysisEngine engine(String path, Map<String, Object> params) throws Exception {
        AnalysisEngineDescription d = (AnalysisEngineDescription) parse(path);
        ConfigurationParameterSettings s =
                d.getAnalysisEngineMetaData().getConfigurationParameterSettings();
        params.forEach(s::setParameterValue);
        return UIMAFramework.produceAnalysisEngine(d);
    }

    /** Reads the first CAS of {@code file} with the reader of descriptor {@code path}. */
    static CAS readFirst(String path, Path file) throws Exception {
        CollectionReader r = reader(path, Map.of("sourceLocation", file.toString()));
        // the reader's own type system must be enough to hold what it reads
        CAS cas =
                org.apache.uima.util.CasCreationUtils.createCas(
                        r.getProcessingResourceMetaData().getTypeSystem(), null, null);
        assertTrue(r.hasNext(), path);
        r.getNext(cas);
        r.close();
        return cas;
    }

    @Test
    void everyGeneratedDescriptorIsInstantiatedAndRun() throws Exception {
        Set<String> expected =
                Set.of(
                        "org/fewner/readers/Conll2003Reader.xml",
                        "org/fewner/readers/TwoColumnReader.xml",
                        "org/fewner/readers/FewNerdEpisodeReader.xml",
                        "org/fewner/readers/TwoColumnWriter.xml",
                        "org/fewner/training/data/TrainingExampleCollector.xml",
                        "org/fewner/uimaannotator/FewNerAnnotator.xml");
        assertEquals(expected, generated(), "descriptors on the class path vs. tested here");

        Path conll2003 = tmp.resolve("in.conll2003");
        Files.writeString(conll2003, CONLL2003);
        CAS cas = readFirst("org/fewner/readers/Conll2003Reader.xml", conll2003);
        assertEquals(2, JCasUtil.select(cas.getJCas(), NamedEntity.class).size());

        Path twoColumn = tmp.resolve("in.conll");
        Files.writeString(twoColumn, TWO_COLUMN);
        CAS two = readFirst("org/fewner/readers/TwoColumnReader.xml", twoColumn);
        assertEquals(5, JCasUtil.select(two.getJCas(), Token.class).size());

        Path episodes = tmp.resolve("episodes.jsonl");
        Files.writeString(episodes, EPISODE);
        CAS ep = readFirst("org/fewner/readers/FewNerdEpisodeReader.xml", episodes);
        assertEquals(3, JCasUtil.select(ep.getJCas(), NamedEntity.class).size());

        Path out = tmp.resolve("written");
        AnalysisEngine writer =
                engine(
                        "org/fewner/readers/TwoColumnWriter.xml",
                        Map.of("targetLocation", out.toString(), "useDocumentId", true));
        writer.process(cas);
        writer.collectionProcessComplete();
        writer.destroy();
        try (var files = Files.list(out)) {
            Path written = files.findFirst().orElseThrow();
            String text = Files.readString(written);
            assertTrue(text.contains("Marie\tB-PER\nCurie\tI-PER"), text);
        }

        Path examples = tmp.resolve("examples.jsonl");
        AnalysisEngine collector =
                engine(
                        "org/fewner/training/data/TrainingExampleCollector.xml",
                        Map.of("targetLocation", examples.toString(), "corpus", "test"));
        collector.process(cas);
        collector.collectionProcessComplete();
        collector.destroy();
        String lines = Files.readString(examples);
        assertTrue(lines.contains("Marie") && lines.contains("PER"), lines);

        Path model = TinyModels.bert(tmp.resolve("tiny"), 16, 32, 5);
        AnalysisEngine ner =
                engine(
                        "org/fewner/uimaannotator/FewNerAnnotator.xml",
                        Map.of(
                                "modelLocation",
                                model.toString(),
                                "method",
                                GazetteerMethodProvider.NAME,
                                "supportLocation",
                                twoColumn.toString(),
                                "supportFormat",
                                "conll"));
        CAS text = ner.newCAS();
        text.setDocumentText("Yesterday Marie Curie visited Paris 🙂 .");
        text.setDocumentLanguage("en");
        JCas jcas = text.getJCas();
        Docs.segment(jcas, true, true);
        ner.process(text);
        assertEquals(
                java.util.List.of("10 21 PER Marie Curie 0.9 none", "30 35 LOC Paris 0.4 none"),
                Docs.spans(jcas));
        assertFalse(
                ner.getAnalysisEngineMetaData().getTypeSystem().getTypes().length == 0,
                "the engine's descriptor carries its type system");
        ner.destroy();
    }
}
