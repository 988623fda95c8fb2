package org.fewner.uimaannotator;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ExternalResourceDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four threads, each with its own engine instance, annotate the same documents with the real
 * frozen-prototype method on a tiny random BERT: the annotations equal those of one thread, and the
 * model is loaded once.
 */
class ConcurrencyTest {
    @TempDir Path tmp;

    static final String SUPPORT =
            "marie\tB-PER\ncurie\tI-PER\nvisited\tO\nparis\tB-LOC\n.\tO\n\n"
                    + "john\tB-PER\nsmith\tI-PER\nmet\tO\nthe\tO\nun\tB-ORG\nin\tO\nlondon\tB-LOC\n.\tO\n";

    static List<String> documents() {
        List<String> docs = new ArrayList<>();
        String[] s = {
            "marie curie visited paris .",
            "john smith met the un in london .",
            "the city of berlin and tokyo .",
            "acme corp said today the un visited london .",
        };
        for (int d = 0; d < 8; d++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3; i++) sb.append(s[(d + i) % s.length]).append('\n');
            if (d == 5) {
                // longer than the 16 positions of the tiny model: windowed by the method
                sb.append("marie curie met john smith in paris and london and berlin and tokyo ")
                        .append("and the un said today the city of paris visited acme corp .\n");
            }
            docs.add(sb.toString());
        }
        return docs;
    }

    static List<List<String>> run(AnalysisEngine ae, List<String> docs) throws Exception {
        List<List<String>> out = new ArrayList<>();
        for (String d : docs) {
            JCas jcas = Docs.jcas(d, "c");
            ae.process(jcas);
            out.add(FewNerAnnotatorTest.spans(jcas));
        }
        return out;
    }

    @Test
    void fourThreadsEqualOneThreadWithOneModel() throws Exception {
        Path model = TinyModels.bert(tmp.resolve("tiny"), 16, 16, 7);
        Path support = tmp.resolve("support.conll");
        Files.writeString(support, SUPPORT);
        ExternalResourceDescription res = FewNerModelResource.description(model.toString());
        Object[] params = {
            FewNerAnnotator.RES_MODEL,
            res,
            FewNerAnnotator.PARAM_METHOD,
            "frozen-prototype",
            FewNerAnnotator.PARAM_METHOD_OPTIONS,
            new String[] {"layer=2"},
            FewNerAnnotator.PARAM_SUPPORT_LOCATION,
            support.toString(),
            FewNerAnnotator.PARAM_BATCH_SIZE,
            2
        };
        List<String> docs = documents();
        int before = SharedModel.loads();
        AnalysisEngine single = createEngine(FewNerAnnotator.class, params);
        List<List<String>> expected = run(single, docs);
        assertFalse(expected.stream().allMatch(List::isEmpty), "no entity found at all");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<List<String>>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                AnalysisEngine ae = createEngine(FewNerAnnotator.class, params);
                futures.add(pool.submit(() -> run(ae, docs)));
            }
            for (Future<List<List<String>>> f : futures) assertEquals(expected, f.get());
        } finally {
            pool.shutdown();
        }
        assertEquals(1, SharedModel.loads() - before, "backbones loaded");
    }
}
