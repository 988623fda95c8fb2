package org.fewner.cli.annotate;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.dkpro.core.io.xmi.XmiWriter;
import org.fewner.cli.options.OutputDirOption;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.common.Printable;
import org.fewner.pipeline.AnnotatePipeline;
import org.fewner.pipeline.DocumentAnnotator;
import org.fewner.pipeline.EngineOptions;
import org.fewner.pipeline.TextDocuments;
import org.fewner.readers.TwoColumnWriter;
import org.fewner.type.ScoredNamedEntity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    @Mixin EngineOptions engine = new EngineOptions();

    @Mixin OutputDirOption output = new OutputDirOption();

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
        annotate(System.out);
    }

    void annotate(PrintStream stdout) {
        AnnotatePipeline.Settings settings = engine.settings().build();
        if (!List.of("xmi", "conll", "json").contains(outputFormat)) {
            throw new FewNerException(
                    "--output-format "
                            + FewNerException.quote(outputFormat)
                            + ": expected xmi, conll or json");
        }
        List<Path> files = TextDocuments.expand(inputs);
        if (out == null) {
            annotate(stdout, settings, files, null);
        } else {
            // written into a temporary folder and moved into place only when every document
            // went through: a bad input leaves --out as it was
            output.write(dir -> annotate(stdout, settings, files, dir));
        }
    }

    private void annotate(
            PrintStream stdout, AnnotatePipeline.Settings settings, List<Path> files, Path dir) {
        AnalysisEngine writer = null;
        try (DocumentAnnotator annotator = DocumentAnnotator.create(settings)) {
            if (dir != null) {
                if (outputFormat.equals("xmi")) {
                    writer =
                            createEngine(
                                    XmiWriter.class,
                                    XmiWriter.PARAM_TARGET_LOCATION,
                                    dir.toString(),
                                    XmiWriter.PARAM_USE_DOCUMENT_ID,
                                    true,
                                    XmiWriter.PARAM_OVERWRITE,
                                    true);
                } else if (outputFormat.equals("conll")) {
                    writer =
                            createEngine(
                                    TwoColumnWriter.class,
                                    TwoColumnWriter.PARAM_TARGET_LOCATION,
                                    dir.toString(),
                                    TwoColumnWriter.PARAM_USE_DOCUMENT_ID,
                                    true,
                                    TwoColumnWriter.PARAM_STRIP_EXTENSION,
                                    true,
                                    TwoColumnWriter.PARAM_OVERWRITE,
                                    true);
                }
            }
            for (Path file : files) {
                JCas jcas = annotator.annotate(j -> TextDocuments.load(j, file, "en"));
                if (files.size() > 1) stdout.println("# " + Printable.line(file.toString()));
                for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
                    stdout.println(line(ne));
                }
                if (writer != null) writer.process(jcas);
                if (dir != null && outputFormat.equals("json")) {
                    String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                    AtomicFiles.writeString(
                            dir.resolve(name + ".json"), Json.pretty(json(jcas, file)));
                }
            }
            annotator.collectionProcessComplete();
            if (writer != null) writer.collectionProcessComplete();
        } catch (org.apache.uima.UIMAException e) {
            throw userError(e);
        } finally {
            if (writer != null) writer.destroy();
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
        // other control characters (NUL, ESC, ...) escaped too: one entity, one clean line
        return ne.getBegin()
                + " "
                + ne.getEnd()
                + " "
                + Printable.line(String.valueOf(ne.getValue()))
                + " "
                + conf
                + " "
                + Printable.line(text);
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
