package org.fewner.training.generative;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fewner.common.FewNerException;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.lora.TaskLoss;
import org.fewner.llm.model.Backbone;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.fewner.ner.generative.GenerativeMethod;

/**
 * LoRAHub's task loss as span F1: {@code 1 − F1}, where F1 is the micro span F1 (exact word offsets
 * and type) of the generative method's answers on the support sentences, one greedy constrained
 * generation per (sentence, type) under the span automaton ({@link GenerativeMethod}), with the
 * adapter under composition active. Lower is better; it is a step function of the weights (CMA-ES
 * only needs rankings). No gold and no predicted mention counts as F1 = 1.
 */
public final class SpanF1TaskLoss implements TaskLoss {
    private final List<LabeledSentence> support;
    private final List<String> types;
    private final Map<String, String> definitions;
    private final int maxSpanWords;
    private final int maxNewTokens;
    private final int batch;

    /** Counts of the last {@link #loss} call. */
    public record Counts(int gold, int predicted, int correct) {
        /** Micro span F1 ({@code 1} when there is neither a gold nor a predicted mention). */
        public double f1() {
            return gold + predicted == 0 ? 1.0 : 2.0 * correct / (gold + predicted);
        }
    }

    private volatile Counts last;

    /**
     * @param support the labelled support sentences
     * @param types the types asked for (the support set's)
     * @param definitions type definitions (may be empty)
     * @param maxSpanWords the span automaton's longest entity in words (the adapters' {@code
     *     max_span_words})
     * @param maxNewTokens answer tokens per (sentence, type) at most
     * @param batch (sentence, type) pairs per batched search
     */
    public SpanF1TaskLoss(
            List<LabeledSentence> support,
            List<String> types,
            Map<String, String> definitions,
            int maxSpanWords,
            int maxNewTokens,
            int batch) {
        this.support = support.stream().filter(s -> s.sentence().size() > 0).toList();
        if (this.support.isEmpty() || types.isEmpty()) {
            throw new FewNerException("the support set gives no sentence or no type to ask for");
        }
        this.types = List.copyOf(types);
        this.definitions = Map.copyOf(definitions);
        this.maxSpanWords = maxSpanWords;
        this.maxNewTokens = maxNewTokens;
        this.batch = batch;
    }

    /** Support sentences the F1 is computed on. */
    public int sentences() {
        return support.size();
    }

    /** The counts of the most recent {@link #loss} call, or null before the first. */
    public Counts lastCounts() {
        return last;
    }

    @Override
    public double loss(Backbone backbone, String adapterName) {
        if (!(backbone instanceof DecoderModel model)) {
            throw new FewNerException(
                    "the span-F1 task loss needs a decoder LLM, got "
                            + backbone.config().modelType());
        }
        List<WordSentence> words = support.stream().map(LabeledSentence::sentence).toList();
        List<List<ScoredMention>> pred;
        try (FewShotMethod method =
                GenerativeMethod.resident(
                        model, adapterName, definitions, maxSpanWords, 1, maxNewTokens, batch)) {
            pred = method.adapt(new SupportSet(types, support), 0).recognize(words);
        }
        Counts c = count(support, pred);
        last = c;
        return 1.0 - c.f1();
    }

    /** Exact-match counts of predicted against gold mentions, sentence by sentence. */
    static Counts count(List<LabeledSentence> gold, List<List<ScoredMention>> pred) {
        int g = 0;
        int p = 0;
        int tp = 0;
        for (int i = 0; i < gold.size(); i++) {
            Set<Mention> want = new HashSet<>(gold.get(i).mentions());
            g += want.size();
            List<Mention> got = new ArrayList<>();
            pred.get(i).forEach(m -> got.add(m.mention()));
            p += got.size();
            for (Mention m : new HashSet<>(got)) {
                tp += want.contains(m) ? 1 : 0;
            }
        }
        return new Counts(g, p, tp);
    }
}
