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
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.generative.GenerativeMethod;
import org.fewner.training.generative.NerTaskLoss;

/**
 * The NER task loss of {@code adapter compose} on a decoder: the support file read with its labels
 * (a malformed tag is an error naming file and line), every label checked against the types the
 * source adapters were trained on (recorded under {@code fewner_generative.types}; an unknown one
 * is an error naming file and line), and {@link NerTaskLoss} over the support set's types.
 */
final class GenerativeSupport {
    private GenerativeSupport() {}

    record Loss(NerTaskLoss loss, String description, int sentences) {}

    static Loss loss(
            DecoderModel model, List<LoraAdapter> sources, java.nio.file.Path file, String format) {
        Corpus c;
        try {
            c = Corpus.read(file, Corpus.Format.of(format));
        } catch (org.fewner.common.FewNerException e) {
            throw new FewNerException(e.getMessage(), e);
        }
        TreeSet<String> known = new TreeSet<>();
        Map<String, String> defs = new LinkedHashMap<>();
        for (LoraAdapter a : sources) {
            JsonNode g = a.config().extra().path(GenerativeMethod.CONFIG_KEY);
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
