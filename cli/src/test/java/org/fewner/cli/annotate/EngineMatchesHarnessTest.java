package org.fewner.cli.annotate;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;
import static org.apache.uima.fit.factory.CollectionReaderFactory.createReaderDescription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.fit.pipeline.JCasIterable;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.evaluation.Corpus;
import org.fewner.evaluation.Counts;
import org.fewner.evaluation.Evaluation;
import org.fewner.evaluation.FixedTasks;
import org.fewner.evaluation.Protocol;
import org.fewner.evaluation.Tally;
import org.fewner.evaluation.Task;
import org.fewner.llm.hub.DefaultModels;
import org.fewner.ner.Mention;
import org.fewner.ner.SupportSet;
import org.fewner.readers.Conll2003Reader;
import org.fewner.uimaannotator.FewNerAnnotator;
import org.fewner.uimaannotator.FewNerModelResource;
import org.fewner.uimaannotator.SupportFiles;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One code path: a slice of CoNLL-2003 testb annotated through the UIMA engine (reader, engine,
 * gold and predicted spans compared per sentence with the harness's {@link Counts}) gives the same
 * F1 as the evaluation harness ({@link Evaluation#run}) with the same method, support set and
 * model. Quick form: a tiny random BERT; with {@code -Dfewner.heavyTests=true}, the default model.
 */
class EngineMatchesHarnessTest {
    @TempDir Path tmp;

    static Path testb() {
        Path p =
                Path.of(
                        System.getProperty("fewner.shared", "../../shared"),
                        "datasets/conll2003/eng.testb");
        assumeTrue(Files.isRegularFile(p), "skipped: " + p + " is absent (../shared datasets)");
        return p;
    }

    /**
     * The first {@code sentences} sentences of {@code file} (CoNLL-2003 blocks) into {@code out}.
     */
    static Path slice(Path file, int sentences, Path out) throws Exception {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        boolean inSentence = false;
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                if (inSentence && ++n == sentences) break;
                inSentence = false;
                sb.append('\n');
                continue;
            }
            if (!line.startsWith("-DOCSTART-")) inSentence = true;
            sb.append(line).append('\n');
        }
        Files.writeString(out, sb.append('\n').toString());
        return out;
    }

    /** F1 (percent) of the engine over {@code query}: gold from the reader, then removed. */
    static double engineF1(Path query, List<Object> engineParams) throws Exception {
        AnalysisEngine ner = createEngine(FewNerAnnotator.class, engineParams.toArray());
        Counts total = Counts.ZERO;
        for (JCas jcas :
                new JCasIterable(
                        createReaderDescription(
                                Conll2003Reader.class,
                                Conll2003Reader.PARAM_SOURCE_LOCATION,
                                query.toString()))) {
            List<Sentence> sentences = List.copyOf(JCasUtil.select(jcas, Sentence.class));
            List<List<Mention>> gold = new ArrayList<>();
            for (Sentence s : sentences) gold.add(mentions(jcas, s));
            for (NamedEntity ne : List.copyOf(JCasUtil.select(jcas, NamedEntity.class))) {
                ne.removeFromIndexes();
            }
            ner.process(jcas);
            for (int i = 0; i < sentences.size(); i++) {
                total = total.plus(Counts.of(gold.get(i), mentions(jcas, sentences.get(i))));
            }
        }
        ner.destroy();
        return 100 * total.f1();
    }

    /** The NamedEntity annotations of a sentence as word-index mentions. */
    static List<Mention> mentions(JCas jcas, Sentence s) {
        List<Token> tokens = JCasUtil.selectCovered(Token.class, s);
        List<Mention> out = new ArrayList<>();
        for (NamedEntity ne : JCasUtil.selectCovered(NamedEntity.class, s)) {
            int start = -1;
            int end = -1;
            for (int i = 0; i < tokens.size(); i++) {
                if (tokens.get(i).getBegin() == ne.getBegin()) start = i;
                if (tokens.get(i).getEnd() == ne.getEnd()) end = i + 1;
            }
            out.add(new Mention(start, end, ne.getValue()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static double harnessF1(
            Path query, Path support, String model, Map<String, String> options, Path out) {
        Corpus q = Corpus.read(query, Corpus.Format.CONLL2003);
        SupportSet s = SupportFiles.read(support, "conll2003", q.types());
        Task task = new Task(0, "slice", s, q.words(), q.gold());
        Protocol p =
                new Protocol(
                        "engine-check",
                        "CoNLL-2003 testb slice",
                        "slice",
                        new FixedTasks(List.of(task)),
                        Tally.Aggregation.POOLED,
                        List.of(query),
                        Map.of());
        List<Map<String, Object>> results =
                Evaluation.run(
                        p,
                        new Evaluation.Options(
                                "frozen-prototype",
                                model,
                                "cpu",
                                null,
                                List.of(Integer.parseInt(options.get("layer"))),
                                1,
                                out,
                                false,
                                false,
                                Map.of(),
                                16,
                                "test"));
        Map<String, Object> micro = (Map<String, Object>) results.get(0).get("micro");
        return ((Number) micro.get("f1")).doubleValue();
    }

    void check(String model, String layer, int sentences) throws Exception {
        Path testb = testb();
        Path query = slice(testb, sentences, tmp.resolve("query.conll2003"));
        // the support: the slice's first sentences (so that every type has an example)
        Path support = slice(testb, 20, tmp.resolve("support.conll2003"));
        double harness =
                harnessF1(query, support, model, Map.of("layer", layer), tmp.resolve("eval"));
        double engine =
                engineF1(
                        query,
                        List.of(
                                FewNerAnnotator.RES_MODEL,
                                FewNerModelResource.description(model),
                                // the harness's method (the engine's default is span)
                                FewNerAnnotator.PARAM_METHOD,
                                "frozen-prototype",
                                FewNerAnnotator.PARAM_METHOD_OPTIONS,
                                new String[] {"layer=" + layer},
                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                support.toString(),
                                FewNerAnnotator.PARAM_SUPPORT_FORMAT,
                                "conll2003",
                                FewNerAnnotator.PARAM_ENTITY_TYPES,
                                Corpus.read(query, Corpus.Format.CONLL2003)
                                        .types()
                                        .toArray(String[]::new)));
        System.err.printf(
                "engine F1 %.4f, harness F1 %.4f (%s, layer %s)%n", engine, harness, model, layer);
        assertTrue(engine > 0, "the engine found nothing: the check would be empty");
        assertEquals(harness, engine, 0.01);
    }

    @Test
    void tinyModelSameF1() throws Exception {
        Path model = TinyModels.bert(tmp.resolve("tiny"), 16, 64, 9);
        check(model.toString(), "2", 60);
    }

    @Test
    void defaultModelSameF1() throws Exception {
        assumeTrue(
                Boolean.getBoolean("fewner.heavyTests") && DefaultModels.isCached("default"),
                "skipped: needs -Dfewner.heavyTests=true and the cached default model");
        check("default", "12", 100);
    }
}
