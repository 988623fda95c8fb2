package org.fewner.readers;

import static org.apache.uima.fit.util.JCasUtil.select;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.uima.collection.CollectionReader;
import org.apache.uima.fit.factory.CollectionReaderFactory;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.jcas.JCas;
import org.fewner.common.Json;
import org.fewner.type.EpisodePart;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reads real dataset files through the UIMA readers (CAS by CAS) and compares the numbers of
 * Sentence, Token and NamedEntity annotations, and entities per type, with the counts in the file's
 * PROVENANCE.md. One file of each kind; {@code fewner stats} checks every file with the same
 * parsers. Skips without {@code fewner.shared}.
 */
class SharedDatasetsReaderTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource({
        "conll2003, conll2003/eng.testb",
        "conll2003, conll2003/eng.train",
        "conll, wnut17/wnut17train.conll",
        "conll, crossdomain/proml/wnut-test.txt",
        "conll, crossdomain/container/samples-gum-5shot/3.txt",
        "conll, bc5cdr/test.tsv",
        "episodes, few-nerd/inter/test_5_1.jsonl.gz"
    })
    void readerCountsEqualProvenance(String format, String rel) throws Exception {
        String shared = System.getProperty("fewner.shared");
        Path datasets =
                shared == null ? null : Path.of(shared, "datasets").toAbsolutePath().normalize();
        Assumptions.assumeTrue(
                datasets != null && Files.isRegularFile(datasets.resolve(rel)),
                "fewner.shared not set or " + rel + " absent: skipping");
        JsonNode expected = expected(datasets, rel);
        assertNotNull(expected, "no PROVENANCE line for " + rel);

        Class<? extends FewNerReaderBase> reader =
                format.equals("conll2003")
                        ? Conll2003Reader.class
                        : format.equals("conll")
                                ? TwoColumnReader.class
                                : FewNerdEpisodeReader.class;
        CollectionReader r =
                CollectionReaderFactory.createReader(
                        reader,
                        FewNerReaderBase.PARAM_SOURCE_LOCATION,
                        datasets.resolve(rel).toString());
        long sentences = 0;
        long tokens = 0;
        long support = 0;
        long cases = 0;
        Map<String, Long> types = new TreeMap<>();
        JCas jcas = JCasFactory.createJCas();
        while (r.hasNext()) {
            jcas.reset();
            r.getNext(jcas.getCas());
            cases++;
            sentences += select(jcas, Sentence.class).size();
            tokens += select(jcas, Token.class).size();
            for (NamedEntity ne : select(jcas, NamedEntity.class))
                types.merge(ne.getValue(), 1L, Long::sum);
            for (EpisodePart p : select(jcas, EpisodePart.class)) {
                if (p.getPart().equals(FewNerdEpisodeReader.SUPPORT)) {
                    support +=
                            org.apache.uima.fit.util.JCasUtil.selectCovered(Sentence.class, p)
                                    .size();
                }
            }
        }
        r.destroy();
        long entities = types.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(expected.get("sentences").asLong(), sentences, "sentences");
        assertEquals(expected.get("tokens").asLong(), tokens, "tokens");
        assertEquals(expected.get("entities").asLong(), entities, "entities");
        assertEquals(
                Json.MAPPER.writeValueAsString(expected.get("types")),
                Json.MAPPER.writeValueAsString(types));
        if (expected.has("episodes")) {
            assertEquals(expected.get("episodes").asLong(), cases, "episodes");
            assertEquals(expected.get("support_sentences").asLong(), support, "support sentences");
        }
    }

    private static JsonNode expected(Path datasets, String rel) throws Exception {
        Path dir = datasets.resolve(rel).getParent();
        while (!Files.exists(dir.resolve("PROVENANCE.md"))) dir = dir.getParent();
        for (String line : Files.readAllLines(dir.resolve("PROVENANCE.md"))) {
            if (line.startsWith("{\"file\": \"" + rel + "\"")) return Json.MAPPER.readTree(line);
        }
        return null;
    }
}
