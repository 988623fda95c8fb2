package org.fewner.training.generative;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.generation.PromptTemplate;
import org.fewner.llm.lora.TaskLoss;
import org.fewner.llm.model.Backbone;
import org.fewner.ner.LabeledSentence;
import org.fewner.training.data.TrainingExample;

/**
 * LoRAHub's task loss for the generative method: the answer-token cross-entropy of the support
 * set's instruction examples (one per sentence and type, as in training), averaged over answer
 * tokens. Lower means the composed adapter answers the support set's questions better.
 */
public final class NerTaskLoss implements TaskLoss {
    private final List<GenerativeLosses.Encoded> examples = new ArrayList<>();
    private final int batchSize;

    /**
     * @param types the types asked for (the support set's)
     * @param definitions type definitions (may be empty)
     */
    public NerTaskLoss(
            DecoderModel model,
            List<LabeledSentence> support,
            List<String> types,
            Map<String, String> definitions,
            int batchSize) {
        List<TrainingExample> s = new ArrayList<>();
        for (LabeledSentence l : support) {
            s.add(
                    new TrainingExample(
                            l.sentence().id(), "support", l.sentence().words(), l.mentions()));
        }
        for (InstructionExample e :
                InstructionExamples.build(s, types, definitions, PromptTemplate.DEFAULT)) {
            examples.add(
                    GenerativeLosses.encode(
                            model, PromptTemplate.DEFAULT, e, types.indexOf(e.type())));
        }
        if (examples.isEmpty()) {
            throw new FewNerException("the support set gives no instruction example");
        }
        this.batchSize = batchSize;
    }

    /** Instruction examples the loss averages over. */
    public int examples() {
        return examples.size();
    }

    @Override
    public double loss(Backbone backbone, String adapterName) {
        if (!(backbone instanceof DecoderModel model)) {
            throw new FewNerException(
                    "the NER task loss needs a decoder LLM, got " + backbone.config().modelType());
        }
        double total = 0;
        long tokens = 0;
        for (int from = 0; from < examples.size(); from += batchSize) {
            GenerativeLosses.Batch b =
                    new GenerativeLosses.Batch(
                            examples.subList(from, Math.min(examples.size(), from + batchSize)));
            try (NDManager m = model.manager().newSubManager()) {
                NDList out =
                        model.forwardEmbeddings(
                                m, model.embedTokens(m, b.ids), b.mask, adapterName);
                int h = model.config().hiddenSize();
                NDArray rows =
                        out.get(out.size() - 1)
                                .reshape((long) b.rows() * b.length(), h)
                                .get(m.create(b.targetRows));
                NDArray picked =
                        model.lmHeadLogits(m, rows, adapterName)
                                .logSoftmax(1)
                                .gather(m.create(b.targets).reshape(b.answerTokens, 1), 1);
                total -= picked.sum().getFloat();
                tokens += b.answerTokens;
            }
        }
        return total / tokens;
    }
}
