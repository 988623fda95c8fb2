package org.fewner.examples;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngineDescription;
import static org.apache.uima.fit.factory.CollectionReaderFactory.createReaderDescription;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.uima.fit.pipeline.SimplePipeline;
import org.dkpro.core.io.text.TextReader;
import org.dkpro.core.io.xmi.XmiWriter;
import org.fewner.pipeline.Segmentation;
import org.fewner.readers.TwoColumnWriter;
import org.fewner.uimaannotator.FewNerAnnotator;
import org.fewner.uimaannotator.FewNerModelResource;

/**
 * Example 1: raw text to named entities in a plain uimaFIT pipeline. DKPro's {@link TextReader}
 * reads {@code *.txt} files, DKPro's OpenNLP segmenter (with Apache OpenNLP's models from Maven
 * Central, {@link Segmentation}) adds sentences and tokens, the FewNER engine adds entities, and
 * two writers store the result: DKPro's {@link XmiWriter} (XMI + TypeSystem.xml) and FewNER's
 * {@link TwoColumnWriter} (token TAB BIO label). The engine runs its default method, {@code span},
 * with the adapter shipped for the model ({@code default} or {@code default-uncased}).
 *
 * <pre>
 * java ... org.fewner.examples.RawTextPipeline examples/data examples/data/news-support.conll conll /tmp/out
 * </pre>
 */
public final class RawTextPipeline {
    private RawTextPipeline() {}

    /**
     * Runs the pipeline.
     *
     * @param inputDir directory of {@code *.txt} files (UTF-8)
     * @param support the labelled example sentences
     * @param supportFormat their format (conll2003, conll, fewnerd-episodes, xmi)
     * @param model default, default-uncased or a model directory
     * @param method the few-shot method, or null for the engine's default ({@code span}, with the
     *     adapter shipped for {@code default} or {@code default-uncased})
     * @param methodOptions method options ({@code key=value})
     * @param out output directory: {@code xmi/} and {@code conll/} below it
     */
    public static void run(
            Path inputDir,
            Path support,
            String supportFormat,
            String model,
            String method,
            List<String> methodOptions,
            Path out)
            throws Exception {
        List<Object> ner =
                new ArrayList<>(
                        List.of(
                                FewNerAnnotator.RES_MODEL,
                                FewNerModelResource.description(model),
                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                support.toString(),
                                FewNerAnnotator.PARAM_SUPPORT_FORMAT,
                                supportFormat,
                                FewNerAnnotator.PARAM_METHOD_OPTIONS,
                                methodOptions.toArray(String[]::new)));
        if (method != null) {
            ner.add(FewNerAnnotator.PARAM_METHOD);
            ner.add(method);
        }
        SimplePipeline.runPipeline(
                createReaderDescription(
                        TextReader.class,
                        TextReader.PARAM_SOURCE_LOCATION,
                        inputDir.toString(),
                        TextReader.PARAM_PATTERNS,
                        "*.txt",
                        TextReader.PARAM_LANGUAGE,
                        "en"),
                Segmentation.openNlpEnglish(),
                createEngineDescription(FewNerAnnotator.class, ner.toArray()),
                createEngineDescription(
                        XmiWriter.class,
                        XmiWriter.PARAM_TARGET_LOCATION,
                        out.resolve("xmi").toString(),
                        XmiWriter.PARAM_OVERWRITE,
                        true),
                createEngineDescription(
                        TwoColumnWriter.class,
                        TwoColumnWriter.PARAM_TARGET_LOCATION,
                        out.resolve("conll").toString(),
                        TwoColumnWriter.PARAM_STRIP_EXTENSION,
                        true,
                        TwoColumnWriter.PARAM_OVERWRITE,
                        true));
    }

    /** {@code INPUT_DIR SUPPORT FORMAT OUT_DIR [MODEL]}; the model defaults to {@code default}. */
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: RawTextPipeline INPUT_DIR SUPPORT FORMAT OUT_DIR [MODEL]");
            System.exit(2);
        }
        run(
                Path.of(args[0]),
                Path.of(args[1]),
                args[2],
                args.length > 4 ? args[4] : "default",
                null,
                List.of(),
                Path.of(args[3]));
    }
}
