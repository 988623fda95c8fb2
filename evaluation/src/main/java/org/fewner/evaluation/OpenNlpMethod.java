package org.fewner.evaluation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import opennlp.tools.namefind.NameFinderME;
import opennlp.tools.namefind.NameSample;
import opennlp.tools.namefind.TokenNameFinderFactory;
import opennlp.tools.namefind.TokenNameFinderModel;
import opennlp.tools.util.ObjectStreamUtils;
import opennlp.tools.util.Span;
import opennlp.tools.util.TrainingParameters;
import org.fewner.common.FewNerException;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;

/**
 * {@code opennlp}: Apache OpenNLP's {@link NameFinderME} (maximum entropy, BIO codec, its default
 * feature generators), trained on each support set (or K-shot sample) from scratch: what a DKPro
 * user runs today, as a baseline on the same tasks and scorer.
 *
 * <p>Training parameters are OpenNLP's defaults (GIS, 100 iterations) except the feature cutoff:
 * the default of 5 keeps no feature of a support set of a few sentences, so it is 1 here (option
 * {@code opennlp-cutoff}); one training thread, so results are deterministic. Each sentence is
 * found on its own ({@code clearAdaptiveData} after each), so the order of the query does not
 * matter. Confidence: NameFinderME's probability of the span ({@link NameFinderME#probs(Span[])}).
 * The seed is unused (GIS is deterministic).
 */
public final class OpenNlpMethod implements FewShotMethod {
    public static final String NAME = "opennlp";

    private final int cutoff;
    private final int iterations;

    public OpenNlpMethod(int cutoff, int iterations) {
        this.cutoff = cutoff;
        this.iterations = iterations;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Recognizer adapt(SupportSet support, long seed) {
        List<NameSample> samples = new ArrayList<>();
        boolean any = false;
        for (LabeledSentence s : support.sentences()) {
            Span[] names = new Span[s.mentions().size()];
            for (int i = 0; i < names.length; i++) {
                Mention m = s.mentions().get(i);
                names[i] = new Span(m.start(), m.end(), m.label());
            }
            any |= names.length > 0;
            samples.add(new NameSample(s.sentence().words().toArray(String[]::new), names, true));
        }
        if (!any) {
            throw new FewNerException(
                    "support set: no labelled mention (OpenNLP needs at least one to train)");
        }
        TrainingParameters params = TrainingParameters.defaultParams();
        params.put(TrainingParameters.CUTOFF_PARAM, cutoff);
        params.put(TrainingParameters.ITERATIONS_PARAM, iterations);
        params.put(TrainingParameters.THREADS_PARAM, 1);
        TokenNameFinderModel model;
        try {
            model =
                    NameFinderME.train(
                            "und",
                            null,
                            ObjectStreamUtils.createObjectStream(samples),
                            params,
                            new TokenNameFinderFactory());
        } catch (IOException e) {
            throw new IllegalStateException("OpenNLP training failed: " + e.getMessage(), e);
        }
        NameFinderME finder = new NameFinderME(model);
        return sentences -> find(finder, sentences);
    }

    private static List<List<ScoredMention>> find(
            NameFinderME finder, List<WordSentence> sentences) {
        List<List<ScoredMention>> out = new ArrayList<>(sentences.size());
        synchronized (finder) {
            for (WordSentence s : sentences) {
                Span[] spans = finder.find(s.words().toArray(String[]::new));
                double[] probs = finder.probs(spans);
                finder.clearAdaptiveData();
                List<ScoredMention> m = new ArrayList<>(spans.length);
                for (int i = 0; i < spans.length; i++) {
                    m.add(
                            new ScoredMention(
                                    new Mention(
                                            spans[i].getStart(),
                                            spans[i].getEnd(),
                                            spans[i].getType()),
                                    probs[i]));
                }
                out.add(m);
            }
        }
        return out;
    }

    @Override
    public void close() {}

    /** Options: {@code opennlp-cutoff} (default 1), {@code opennlp-iterations} (default 100). */
    public static final class Provider implements FewShotMethods.Provider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "Apache OpenNLP NameFinderME trained on each support set (default features)";
        }

        @Override
        public FewShotMethod create(MethodOptions options) {
            return new OpenNlpMethod(
                    options.getInt("opennlp-cutoff", 1), options.getInt("opennlp-iterations", 100));
        }
    }
}
