package org.fewner.examples;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;
import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngineDescription;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.type.ScoredNamedEntity;
import org.fewner.uimaannotator.FewNerAnnotator;
import org.fewner.uimaannotator.FewNerModelResource;

/**
 * Example 3: two LoRA adapters resident on one base model, the adapter chosen per document from its
 * {@code DocumentMetaData} collection id ({@code news} documents get one adapter, {@code bio}
 * documents the other, anything else the base model). Both adapters are loaded once and stay
 * resident; switching costs nothing. Each entity's {@code adapterId} says which adapter made it.
 */
public final class TwoAdaptersPerDocument {
    private TwoAdaptersPerDocument() {}

    /** A document and the collection it belongs to. */
    public record Doc(String collection, String text) {}

    /**
     * Annotates {@code docs}; returns, per document, lines {@code adapterId label text}.
     *
     * @param model base model (default, default-uncased or a directory)
     * @param newsAdapter adapter directory for collection {@code news}
     * @param bioAdapter adapter directory for collection {@code bio}
     */
    public static List<List<String>> run(
            String model,
            Path newsAdapter,
            Path bioAdapter,
            Path support,
            String supportFormat,
            List<String> methodOptions,
            List<Doc> docs)
            throws Exception {
        AnalysisEngine segmenter = createEngine(Segmentation.openNlpEnglish());
        AnalysisEngine ner =
                createEngine(
                        createEngineDescription(
                                FewNerAnnotator.class,
                                FewNerAnnotator.RES_MODEL,
                                FewNerModelResource.description(model),
                                FewNerAnnotator.PARAM_ADAPTERS,
                                new String[] {"news=" + newsAdapter, "bio=" + bioAdapter},
                                FewNerAnnotator.PARAM_ADAPTER_SELECTOR,
                                "collectionId",
                                FewNerAnnotator.PARAM_ADAPTER_MAPPING,
                                new String[] {"news=news", "bio=bio", "*=none"},
                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                support.toString(),
                                FewNerAnnotator.PARAM_SUPPORT_FORMAT,
                                supportFormat,
                                FewNerAnnotator.PARAM_METHOD_OPTIONS,
                                methodOptions.toArray(String[]::new)));
        List<List<String>> out = new ArrayList<>();
        JCas jcas = JCasFactory.createJCas();
        int i = 0;
        for (Doc d : docs) {
            jcas.reset();
            jcas.setDocumentText(d.text());
            jcas.setDocumentLanguage("en");
            DocumentMetaData meta = DocumentMetaData.create(jcas);
            meta.setDocumentId("doc" + i++);
            meta.setCollectionId(d.collection());
            segmenter.process(jcas);
            ner.process(jcas);
            List<String> lines = new ArrayList<>();
            for (ScoredNamedEntity ne : JCasUtil.select(jcas, ScoredNamedEntity.class)) {
                lines.add(ne.getAdapterId() + " " + ne.getValue() + " " + ne.getCoveredText());
            }
            out.add(lines);
        }
        ner.destroy();
        segmenter.destroy();
        return out;
    }

    /** {@code MODEL NEWS_ADAPTER BIO_ADAPTER SUPPORT FORMAT}: annotates three sample documents. */
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println(
                    "usage: TwoAdaptersPerDocument MODEL NEWS_ADAPTER BIO_ADAPTER SUPPORT FORMAT");
            System.exit(2);
        }
        List<Doc> docs =
                List.of(
                        new Doc("news", "Maria Santos visited Lisbon on Monday."),
                        new Doc("bio", "BRCA1 mutations raise the risk of breast cancer."),
                        new Doc("other", "Peter Novak works for Siemens in Warsaw."));
        Map<Doc, List<String>> result = new LinkedHashMap<>();
        List<List<String>> lines =
                run(
                        args[0],
                        Path.of(args[1]),
                        Path.of(args[2]),
                        Path.of(args[3]),
                        args[4],
                        List.of(),
                        docs);
        for (int i = 0; i < docs.size(); i++) result.put(docs.get(i), lines.get(i));
        result.forEach((d, l) -> System.out.println(d.collection() + ": " + l));
    }
}
