package org.fewner.examples;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.fewner.pipeline.AnnotatePipeline;
import org.fewner.pipeline.DocumentAnnotator;
import org.fewner.type.ScoredNamedEntity;

/**
 * Example 3: two LoRA adapters resident on one base model, the adapter chosen per document from its
 * {@code DocumentMetaData} collection id ({@code news} documents get one adapter, {@code bio}
 * documents the other, anything else the base model). Both adapters are loaded once and stay
 * resident; switching costs nothing. Each entity's {@code adapterId} says which adapter made it.
 * Built with the product's pipeline API: {@link AnnotatePipeline#settings()} and the
 * segment-then-recognise loop {@link DocumentAnnotator}. With the default method, {@code span}, the
 * adapters are span adapters ({@code ./fewner train --method span}, or {@link TrainSpanAdapter});
 * plain LoRA adapters go with {@code frozen-prototype}.
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
     * @param method the few-shot method, or null for the default ({@code span})
     */
    public static List<List<String>> run(
            String model,
            Path newsAdapter,
            Path bioAdapter,
            Path support,
            String supportFormat,
            String method,
            List<String> methodOptions,
            List<Doc> docs)
            throws Exception {
        AnnotatePipeline.Settings.Builder builder = AnnotatePipeline.settings();
        if (method != null) builder.method(method);
        AnnotatePipeline.Settings settings =
                builder.model(model)
                        .adapter("news", newsAdapter.toString())
                        .adapter("bio", bioAdapter.toString())
                        .adapterSelector("collectionId", List.of("news=news", "bio=bio", "*=none"))
                        .support(support.toString(), supportFormat)
                        .methodOptions(methodOptions)
                        .build();
        List<List<String>> out = new ArrayList<>();
        try (DocumentAnnotator annotator = DocumentAnnotator.create(settings)) {
            int i = 0;
            for (Doc d : docs) {
                String id = "doc" + i++;
                JCas jcas =
                        annotator.annotate(
                                j -> {
                                    j.setDocumentText(d.text());
                                    j.setDocumentLanguage("en");
                                    DocumentMetaData meta = DocumentMetaData.create(j);
                                    meta.setDocumentId(id);
                                    meta.setCollectionId(d.collection());
                                });
                List<String> lines = new ArrayList<>();
                for (ScoredNamedEntity ne : JCasUtil.select(jcas, ScoredNamedEntity.class)) {
                    lines.add(ne.getAdapterId() + " " + ne.getValue() + " " + ne.getCoveredText());
                }
                out.add(lines);
            }
        }
        return out;
    }

    /**
     * {@code MODEL NEWS_ADAPTER BIO_ADAPTER SUPPORT FORMAT [METHOD]}: annotates three sample
     * documents (method: span unless given).
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println(
                    "usage: TwoAdaptersPerDocument MODEL NEWS_ADAPTER BIO_ADAPTER SUPPORT FORMAT"
                            + " [METHOD]");
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
                        args.length > 5 ? args[5] : null,
                        List.of(),
                        docs);
        for (int i = 0; i < docs.size(); i++) result.put(docs.get(i), lines.get(i));
        result.forEach((d, l) -> System.out.println(d.collection() + ": " + l));
    }
}
