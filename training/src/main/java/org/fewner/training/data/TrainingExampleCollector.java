package org.fewner.training.data;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.fit.component.JCasConsumer_ImplBase;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.fit.descriptor.ResourceMetaData;
import org.apache.uima.fit.descriptor.TypeCapability;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;
import org.dkpro.core.api.parameter.ComponentParameters;
import org.fewner.common.Json;
import org.fewner.ner.Mention;

/**
 * DKPro's "trainer as consumer": reads {@link Sentence}, {@link Token} and {@link NamedEntity} from
 * the CASes of any reader and writes one {@link TrainingExample} per sentence as JSON lines to
 * {@link #PARAM_TARGET_LOCATION}, plus an {@link ExampleReport} beside it ({@code
 * <target>.report.json}) when the collection is complete. Every sentence or entity left out is
 * counted in the report under the policy stated there.
 */
@ResourceMetaData(name = "FewNER Training Example Collector")
@TypeCapability(
        inputs = {
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence",
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token",
            "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
        })
public class TrainingExampleCollector extends JCasConsumer_ImplBase {
    /** The JSON-lines file to write (atomically, when the collection is complete). */
    public static final String PARAM_TARGET_LOCATION = ComponentParameters.PARAM_TARGET_LOCATION;

    @ConfigurationParameter(name = PARAM_TARGET_LOCATION, mandatory = true)
    private String targetLocation;

    /** The corpus name recorded in each example (types are qualified by it). */
    public static final String PARAM_CORPUS = "corpus";

    @ConfigurationParameter(name = PARAM_CORPUS, mandatory = true)
    private String corpus;

    /** Sentences with more words than this are skipped and counted (0 = no limit). */
    public static final String PARAM_MAX_WORDS = "maxWords";

    @ConfigurationParameter(name = PARAM_MAX_WORDS, mandatory = true, defaultValue = "200")
    private int maxWords;

    /** Lower-case every word (for uncased models and lower-cased targets such as Few-NERD). */
    public static final String PARAM_LOWER_CASE = "lowerCase";

    @ConfigurationParameter(name = PARAM_LOWER_CASE, mandatory = true, defaultValue = "false")
    private boolean lowerCase;

    /**
     * The labels accepted; an entity with another label is dropped and counted as unknown. Empty:
     * every non-empty label is accepted.
     */
    public static final String PARAM_LABELS = "labels";

    @ConfigurationParameter(name = PARAM_LABELS, mandatory = false)
    private String[] labels;

    private Set<String> allowed;
    private BufferedWriter out;
    private Path target;
    private Path tmp;
    private ExampleReport report;

    @Override
    public void initialize(org.apache.uima.UimaContext context)
            throws ResourceInitializationException {
        super.initialize(context);
        allowed =
                labels == null || labels.length == 0 ? null : new HashSet<>(Arrays.asList(labels));
        report = new ExampleReport();
        target = Path.of(targetLocation);
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            tmp = Files.createTempFile(parent, target.getFileName().toString(), ".tmp");
            out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ResourceInitializationException(
                    new IOException(
                            target + ": cannot write training examples: " + e.getMessage(), e));
        }
    }

    @Override
    public void process(JCas jcas) throws AnalysisEngineProcessException {
        String doc =
                de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData.get(jcas)
                        .getDocumentUri();
        var covering = JCasUtil.indexCovered(jcas, Sentence.class, Token.class);
        for (Sentence s : JCasUtil.select(jcas, Sentence.class)) {
            report.sentencesRead++;
            List<Token> tokens = new ArrayList<>(covering.getOrDefault(s, List.of()));
            if (tokens.isEmpty()) {
                report.sentencesEmpty++;
                continue;
            }
            if (maxWords > 0 && tokens.size() > maxWords) {
                report.sentencesTooLong++;
                continue;
            }
            List<NamedEntity> nes = new ArrayList<>();
            for (NamedEntity ne : JCasUtil.selectCovered(NamedEntity.class, s)) {
                nes.add(ne);
            }
            TrainingExample ex = toExample(doc + "#" + s.getBegin(), tokens, nes);
            if (ex == null) {
                continue;
            }
            try {
                out.write(Json.line(ex));
                out.write('\n');
            } catch (IOException e) {
                throw new AnalysisEngineProcessException(e);
            }
            report.sentencesKept++;
        }
        // Entities crossing a sentence boundary are covered by no sentence: count them.
        for (NamedEntity ne : JCasUtil.select(jcas, NamedEntity.class)) {
            if (JCasUtil.selectCovering(Sentence.class, ne).isEmpty()) {
                report.entitiesOutsideTokens++;
            }
        }
    }

    /** Maps entities to word spans under the report's policies; null never (kept for symmetry). */
    TrainingExample toExample(String id, List<Token> tokens, List<NamedEntity> nes) {
        List<String> words = new ArrayList<>(tokens.size());
        for (Token t : tokens) {
            String w = t.getCoveredText();
            words.add(lowerCase ? w.toLowerCase(Locale.ROOT) : w);
        }
        List<Mention> spans = new ArrayList<>();
        for (NamedEntity ne : nes) {
            String label = ne.getValue();
            if (label == null || label.isBlank() || (allowed != null && !allowed.contains(label))) {
                report.unknownLabels.merge(String.valueOf(label), 1L, Long::sum);
                continue;
            }
            int first = -1;
            int last = -1;
            for (int i = 0; i < tokens.size(); i++) {
                Token t = tokens.get(i);
                if (t.getEnd() > ne.getBegin() && t.getBegin() < ne.getEnd()) {
                    if (first < 0) {
                        first = i;
                    }
                    last = i;
                }
            }
            if (first < 0) {
                report.entitiesOutsideTokens++;
                continue;
            }
            spans.add(new Mention(first, last + 1, label));
        }
        List<Mention> kept = removeOverlaps(spans);
        report.overlappingDropped += spans.size() - kept.size();
        for (Mention m : kept) {
            report.entitiesKept++;
            report.types.merge(corpus + ":" + m.label(), 1L, Long::sum);
        }
        return new TrainingExample(id, corpus, words, kept);
    }

    /**
     * Keeps non-overlapping mentions: sorted by start, longest first on a tie, a mention that
     * overlaps one already kept is dropped.
     */
    static List<Mention> removeOverlaps(List<Mention> spans) {
        List<Mention> sorted = new ArrayList<>(spans);
        sorted.sort(
                Comparator.comparingInt(Mention::start)
                        .thenComparing(Comparator.comparingInt(Mention::end).reversed()));
        List<Mention> kept = new ArrayList<>();
        int lastEnd = 0;
        for (Mention m : sorted) {
            if (m.start() >= lastEnd) {
                kept.add(m);
                lastEnd = m.end();
            }
        }
        return kept;
    }

    @Override
    public void collectionProcessComplete() throws AnalysisEngineProcessException {
        try {
            out.close();
            Files.move(
                    tmp,
                    target,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Json.writeAtomically(reportPath(target), report);
        } catch (IOException e) {
            throw new AnalysisEngineProcessException(e);
        }
    }

    /** Where the report of {@code target} is written. */
    public static Path reportPath(Path target) {
        return target.resolveSibling(target.getFileName() + ".report.json");
    }
}
