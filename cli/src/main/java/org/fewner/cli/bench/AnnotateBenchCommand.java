package org.fewner.cli.bench;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngineDescription;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import opennlp.tools.namefind.NameFinderME;
import opennlp.tools.namefind.NameSample;
import opennlp.tools.namefind.TokenNameFinderFactory;
import opennlp.tools.namefind.TokenNameFinderModel;
import opennlp.tools.util.ObjectStreamUtils;
import opennlp.tools.util.Span;
import opennlp.tools.util.TrainingParameters;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.dkpro.core.opennlp.OpenNlpNamedEntityRecognizer;
import org.fewner.cli.options.Range;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.bench.ProcessStats;
import org.fewner.pipeline.AnnotatePipeline;
import org.fewner.pipeline.DocumentAnnotator;
import org.fewner.pipeline.EngineOptions;
import org.fewner.readers.Chunk;
import org.fewner.readers.ColumnFileParser;
import org.fewner.readers.LabelledSentence;
import org.fewner.readers.LineReader;
import org.fewner.readers.TagScheme;
import org.fewner.uimaannotator.SharedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code fewner bench annotate}: the whole annotation pipeline (OpenNLP segmentation, the FewNER
 * engine) over CoNLL-2003 testb's text rebuilt as plain documents, and DKPro's OpenNLP named-entity
 * recogniser over the same documents in the same run. Apache publishes no English OpenNLP
 * name-finder model on Maven Central (the 1.3.0 model jars hold sentence, token, POS and lemma
 * models), so the bench trains one {@code NameFinderME} on CoNLL-2003 train first (default
 * features) and says so in its output.
 */
@Command(
        name = "annotate",
        mixinStandardHelpOptions = true,
        defaultValueProvider = AnnotateBenchCommand.Defaults.class,
        description = {
            "Throughput of the annotation pipeline (OpenNLP segmentation + FewNER engine) on CoNLL-2003"
                    + " testb rebuilt as plain documents, beside DKPro's OpenNLP NER on the same documents.",
            "Prints a Markdown table; writes bench-annotate.json and bench-annotate.md with --out.",
            "The engine options are those of 'fewner annotate'; --support defaults to"
                    + " examples/data/news-support.conll, --format to conll."
        })
public final class AnnotateBenchCommand implements Runnable {
    @Mixin EngineOptions engine = new EngineOptions();

    @Option(
            names = "--test",
            paramLabel = "FILE",
            description =
                    "CoNLL-2003 file whose text is annotated. Default: <shared>/datasets/conll2003/eng.testb.")
    Path test;

    @Option(
            names = "--train",
            paramLabel = "FILE",
            description =
                    "CoNLL-2003 file the OpenNLP name finder is trained on. Default: <shared>/datasets/conll2003/eng.train.")
    Path train;

    @Option(
            names = "--max-docs",
            defaultValue = "0",
            description =
                    "Annotate the first N documents only (0 = all). Default: ${DEFAULT-VALUE}.")
    @Range(min = 0, note = "0 = all")
    int maxDocs;

    @Option(
            names = "--opennlp-sentences",
            defaultValue = "0",
            description =
                    "Train the OpenNLP name finder on the first N sentences (0 = all). Default: ${DEFAULT-VALUE}.")
    @Range(min = 0, note = "0 = all")
    int opennlpSentences;

    @Option(
            names = "--opennlp-iterations",
            defaultValue = "100",
            description =
                    "Training iterations of the OpenNLP name finder. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int opennlpIterations;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Write bench-annotate.json and .md here.")
    Path out;

    /**
     * The defaults of the engine options this bench gives where {@code fewner annotate} requires
     * them: the shipped news support file.
     */
    public static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (arg instanceof OptionSpec o) {
                if (o.longestName().equals("--support")) return "examples/data/news-support.conll";
                if (o.longestName().equals("--format")) return "conll";
            }
            return null;
        }
    }

    @Override
    public void run() {
        try {
            bench();
        } catch (FewNerException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("bench annotate failed: " + e, e);
        }
    }

    static Path shared(String rel) {
        return Path.of(System.getProperty("fewner.shared", "../shared"), rel);
    }

    /**
     * Documents of a CoNLL-2003 file: -DOCSTART- splits, sentences one per line, tokens by space.
     */
    static List<String> documents(Path file) throws IOException {
        List<String> docs = new ArrayList<>();
        StringBuilder doc = new StringBuilder();
        StringBuilder sentence = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("-DOCSTART-")) {
                if (doc.length() > 0) docs.add(doc.toString());
                doc.setLength(0);
            } else if (line.isBlank()) {
                if (sentence.length() > 0) doc.append(sentence).append('\n');
                sentence.setLength(0);
            } else {
                if (sentence.length() > 0) sentence.append(' ');
                sentence.append(line, 0, line.indexOf(' ') < 0 ? line.length() : line.indexOf(' '));
            }
        }
        if (sentence.length() > 0) doc.append(sentence).append('\n');
        if (doc.length() > 0) docs.add(doc.toString());
        return docs;
    }

    /** Trains OpenNLP's name finder on CoNLL-2003 {@code file}; returns the model file. */
    Path trainOpenNlp(Path file, Path modelFile, Map<String, Object> info) throws IOException {
        List<NameSample> samples = new ArrayList<>();
        try (ColumnFileParser p =
                new ColumnFileParser(LineReader.open(file), 4, "token POS chunk NER")) {
            LabelledSentence s;
            boolean first = true;
            while ((s = p.next()) != null) {
                if (opennlpSentences > 0 && samples.size() >= opennlpSentences) break;
                List<Chunk> chunks = s.chunks(file.toString(), 0, TagScheme.BIO, false);
                Span[] spans = new Span[chunks.size()];
                for (int i = 0; i < spans.length; i++) {
                    Chunk c = chunks.get(i);
                    spans[i] = new Span(c.start(), c.end(), c.type());
                }
                samples.add(
                        new NameSample(
                                s.tokens().toArray(String[]::new),
                                spans,
                                first || s.newDocument()));
                first = false;
            }
        }
        TrainingParameters params = TrainingParameters.defaultParams();
        params.put(TrainingParameters.ITERATIONS_PARAM, opennlpIterations);
        params.put(TrainingParameters.CUTOFF_PARAM, 1);
        long t0 = System.nanoTime();
        TokenNameFinderModel m =
                NameFinderME.train(
                        "en",
                        null,
                        ObjectStreamUtils.createObjectStream(samples),
                        params,
                        new TokenNameFinderFactory());
        try (OutputStream os = Files.newOutputStream(modelFile)) {
            m.serialize(os);
        }
        info.put("trained_on", file.toString());
        info.put("training_sentences", samples.size());
        info.put("iterations", opennlpIterations);
        info.put("training_seconds", round((System.nanoTime() - t0) / 1e9));
        return modelFile;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    void bench() throws Exception {
        Path testFile = test != null ? test : shared("datasets/conll2003/eng.testb");
        Path trainFile = train != null ? train : shared("datasets/conll2003/eng.train");
        for (Path p : List.of(testFile, trainFile)) {
            if (!Files.isRegularFile(p))
                throw new FewNerException(p + ": no such file (CoNLL-2003)");
        }
        List<String> docs = documents(testFile);
        if (maxDocs > 0 && docs.size() > maxDocs) docs = docs.subList(0, maxDocs);
        long chars = docs.stream().mapToLong(String::length).sum();

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("command", "fewner " + String.join(" ", commandLine()));
        result.put("corpus", testFile.toString());
        result.put("documents", docs.size());
        result.put("characters", chars);
        result.put("cpus", Runtime.getRuntime().availableProcessors());

        AnnotatePipeline.Settings settings = engine.settings().build();
        long t0 = System.nanoTime();
        SharedModel shared = SharedModel.acquire(settings.model());
        long tokens = 0;
        long entities = 0;
        double wall;
        double forward;
        long segNanos;
        long nerNanos;
        double initSeconds;
        try (DocumentAnnotator fewner = DocumentAnnotator.create(settings)) {
            initSeconds = (System.nanoTime() - t0) / 1e9;
            // warm-up on the first document (not timed)
            fewner.annotate(docs.get(0), "en");
            long seg0 = fewner.segmentationNanos();
            long ner0 = fewner.recognitionNanos();
            double forward0 = shared.forwardSeconds();
            long wall0 = System.nanoTime();
            for (String d : docs) {
                JCas jcas = fewner.annotate(d, "en");
                tokens += JCasUtil.select(jcas, Token.class).size();
                entities += JCasUtil.select(jcas, NamedEntity.class).size();
            }
            wall = (System.nanoTime() - wall0) / 1e9;
            forward = shared.forwardSeconds() - forward0;
            segNanos = fewner.segmentationNanos() - seg0;
            nerNanos = fewner.recognitionNanos() - ner0;
        }
        Map<String, Object> few = new LinkedHashMap<>();
        few.put("pipeline", "OpenNlpSegmenter + FewNerAnnotator");
        few.put("model", settings.model());
        few.put("method", settings.method());
        few.put("method_options", settings.methodOptions());
        few.put("support", settings.support());
        few.put("batch_size", settings.batchSize());
        few.put("initialise_seconds", round(initSeconds));
        few.put("seconds", round(wall));
        few.put("documents_per_second", round(docs.size() / wall));
        few.put("tokens", tokens);
        few.put("tokens_per_second", round(tokens / wall));
        few.put("entities", entities);
        few.put("segmentation_seconds", round(segNanos / 1e9));
        few.put("engine_seconds", round(nerNanos / 1e9));
        few.put("forward_seconds", round(forward));
        few.put("forward_share_of_wall", round(forward / wall));
        few.put("peak_rss_mib", round(ProcessStats.peakRssMiB()));
        result.put("fewner", few);
        shared.release();

        Map<String, Object> onlp = new LinkedHashMap<>();
        Path modelFile = Files.createTempFile("fewner-bench-ner-", ".bin");
        try {
            onlp.put("pipeline", "OpenNlpSegmenter + DKPro OpenNlpNamedEntityRecognizer");
            onlp.put(
                    "model",
                    "NameFinderME trained here on CoNLL-2003 train (no English name-finder model is on"
                            + " Maven Central)");
            trainOpenNlp(trainFile, modelFile, onlp);
            long seg;
            long nerT;
            long found = 0;
            double w;
            try (DocumentAnnotator onlpNer =
                    DocumentAnnotator.create(
                            AnnotatePipeline.segmentation(),
                            createEngineDescription(
                                    OpenNlpNamedEntityRecognizer.class,
                                    OpenNlpNamedEntityRecognizer.PARAM_LANGUAGE,
                                    "en",
                                    OpenNlpNamedEntityRecognizer.PARAM_MODEL_LOCATION,
                                    modelFile.toString()))) {
                onlpNer.annotate(docs.get(0), "en");
                long seg0 = onlpNer.segmentationNanos();
                long ner0 = onlpNer.recognitionNanos();
                long w0 = System.nanoTime();
                for (String d : docs) {
                    found += JCasUtil.select(onlpNer.annotate(d, "en"), NamedEntity.class).size();
                }
                w = (System.nanoTime() - w0) / 1e9;
                seg = onlpNer.segmentationNanos() - seg0;
                nerT = onlpNer.recognitionNanos() - ner0;
            }
            onlp.put("seconds", round(w));
            onlp.put("documents_per_second", round(docs.size() / w));
            onlp.put("tokens_per_second", round(tokens / w));
            onlp.put("ner_only_documents_per_second", round(docs.size() / (nerT / 1e9)));
            onlp.put("segmentation_seconds", round(seg / 1e9));
            onlp.put("entities", found);
        } finally {
            Files.deleteIfExists(modelFile);
        }
        result.put("opennlp", onlp);

        String md = markdown(result);
        System.out.println(md);
        if (out != null) {
            Files.createDirectories(out);
            Json.writeAtomically(out.resolve("bench-annotate.json"), result);
            AtomicFiles.writeString(out.resolve("bench-annotate.md"), md);
        }
    }

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    private List<String> commandLine() {
        return spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs();
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> r) {
        Map<String, Object> f = (Map<String, Object>) r.get("fewner");
        Map<String, Object> o = (Map<String, Object>) r.get("opennlp");
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%s documents of %s (%s characters), %s CPUs%n%n",
                        r.get("documents"),
                        r.get("corpus"),
                        r.get("characters"),
                        r.get("cpus")));
        sb.append(
                "| pipeline | documents/s | tokens/s | seconds | forward share | peak RSS MiB |\n");
        sb.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
        sb.append(
                String.format(
                        Locale.ROOT,
                        "| FewNER (%s, %s model) | %s | %s | %s | %.1f%% | %s |%n",
                        f.get("method"),
                        f.get("model"),
                        f.get("documents_per_second"),
                        f.get("tokens_per_second"),
                        f.get("seconds"),
                        100 * ((Number) f.get("forward_share_of_wall")).doubleValue(),
                        f.get("peak_rss_mib")));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "| DKPro OpenNlpNamedEntityRecognizer (NameFinderME trained here on %s"
                                + " sentences, %s iterations) | %s | %s | %s | - | (same JVM) |%n",
                        o.get("training_sentences"),
                        o.get("iterations"),
                        o.get("documents_per_second"),
                        o.get("tokens_per_second"),
                        o.get("seconds")));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%nBoth rows include OpenNLP segmentation (FewNER: %s s of %s s; engine %s s, of"
                                + " which forward passes %s s). OpenNLP NER alone: %s documents/s.%n",
                        f.get("segmentation_seconds"),
                        f.get("seconds"),
                        f.get("engine_seconds"),
                        f.get("forward_seconds"),
                        o.get("ner_only_documents_per_second")));
        return sb.toString();
    }
}
