package org.fewner.cli.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.fewner.common.FewNerException;
import org.fewner.evaluation.Corpus;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.lora.TaskLoss;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.generative.GenerativeMethod;
import org.fewner.training.generative.NerTaskLoss;
import org.fewner.training.generative.SpanF1TaskLoss;

/**
 * The NER task loss of {@code adapter compose} on a decoder: the support file read with its labels
 * (a malformed tag is an error naming file and line), every label checked against the types the
 * source adapters were trained on (recorded under {@code fewner_generative.types}; an unknown one
 * is an error naming file and line), and {@link NerTaskLoss} (answer-token cross-entropy) or {@link
 * SpanF1TaskLoss} (1 − span F1 of constrained generation) over the support set's types.
 */
final class GenerativeSupport {
    private GenerativeSupport() {}

    /** The answer-token cross-entropy ({@link NerTaskLoss}), the default. */
    static final String ANSWER_CE = "answer-ce";

    /** One minus the span F1 of constrained generation ({@link SpanF1TaskLoss}). */
    static final String SPAN_F1 = "span-f1";

    record Loss(TaskLoss loss, String description, int sentences) {}

    static Loss loss(
            DecoderModel model,
            List<LoraAdapter> sources,
            java.nio.file.Path file,
            String format,
            String kind) {
        Corpus c;
        try {
            c = Corpus.read(file, Corpus.Format.of(format));
        } catch (org.fewner.common.FewNerException e) {
            throw new FewNerException(e.getMessage(), e);
        }
        TreeSet<String> known = new TreeSet<>();
        Map<String, String> defs = new LinkedHashMap<>();
        int maxSpanWords = 0;
        for (LoraAdapter a : sources) {
            JsonNode g = a.config().extra().path(GenerativeMethod.CONFIG_KEY);
            maxSpanWords = Math.max(maxSpanWords, g.path("max_span_words").asInt(8));
            g.path("types").forEach(t -> known.add(t.asText()));
            g.path("definitions")
                    .fields()
                    .forEachRemaining(e -> defs.putIfAbsent(e.getKey(), e.getValue().asText()));
        }
        List<LabeledSentence> sentences = new ArrayList<>();
        for (LabeledSentence s : c.sentences()) {
            for (Mention m : s.mentions()) {
                if (!known.isEmpty() && !known.contains(m.label())) {
                    // the sentence id is FILE_NAME:FIRST_LINE; the mention's line follows from it
                    String id = s.sentence().id();
                    int line = Integer.parseInt(id.substring(id.lastIndexOf(':') + 1)) + m.start();
                    throw new FewNerException(
                            file
                                    + ":"
                                    + line
                                    + ": label '"
                                    + m.label()
                                    + "' is not among the types the adapters were trained on "
                                    + known);
                }
            }
            if (s.sentence().size() > 0) {
                sentences.add(s);
            }
        }
        if (sentences.isEmpty()) {
            throw new FewNerException(file + ": no sentences found");
        }
        List<String> types = c.types();
        if (kind.equals(SPAN_F1)) {
            SpanF1TaskLoss f1 = new SpanF1TaskLoss(sentences, types, defs, maxSpanWords, 64, 16);
            return new Loss(
                    f1,
                    "NER loss: 1 - span F1 of greedy constrained generation on "
                            + f1.sentences()
                            + " support sentences x "
                            + types.size()
                            + " types",
                    sentences.size());
        }
        NerTaskLoss loss = new NerTaskLoss(model, sentences, types, defs, 8);
        return new Loss(
                loss,
                "NER loss: answer-token cross-entropy of "
                        + loss.examples()
                        + " instruction examples ("
                        + sentences.size()
                        + " support sentences x "
                        + types.size()
                        + " types)",
                sentences.size());
    }
}
