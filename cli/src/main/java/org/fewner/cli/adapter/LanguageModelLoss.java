package org.fewner.cli.adapter;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.fewner.common.FewNerException;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.lora.TaskLoss;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneOutput;
import org.fewner.llm.tokenizer.ModelTokenizer;

/**
 * Placeholder task loss for {@code adapter compose} until the training module's NER loss exists:
 * the language-model loss of the support sentences' text (labels ignored). Decoders: mean
 * next-token cross-entropy. BERT: masked-LM cross-entropy with every 4th non-special token (a
 * fixed, deterministic choice) replaced by {@code [MASK]}; needs the MLM head. Lower means the
 * composed adapter models the target domain's text better.
 */
final class LanguageModelLoss implements TaskLoss {
    private final boolean masked;

    /** Per sentence: the input ids. */
    private final List<long[]> inputs = new ArrayList<>();

    /** Per sentence: target id per position, or -1 where no loss is taken. */
    private final List<long[]> targets = new ArrayList<>();

    LanguageModelLoss(Backbone backbone, List<String> texts, int maxTokens) {
        masked = backbone.config() instanceof BertConfig;
        ModelTokenizer tok = backbone.tokenizer();
        long maskId = -1;
        if (masked) {
            ModelTokenizer.Tokens m = tok.encode("[MASK]", false);
            if (m.size() != 1 || !"[MASK]".equals(m.tokens()[0])) {
                throw new FewNerException(
                        "the BERT tokenizer has no [MASK] token; the placeholder masked-LM loss needs one");
            }
            maskId = m.ids()[0];
        }
        for (String text : texts) {
            ModelTokenizer.Tokens t = tok.encode(text, true);
            int n = Math.min(t.size(), maxTokens);
            long[] ids = java.util.Arrays.copyOf(t.ids(), n);
            long[] target = new long[n];
            java.util.Arrays.fill(target, -1);
            if (masked) {
                int k = 0;
                for (int i = 0; i < n; i++) {
                    if (t.special()[i] == 0 && k++ % 4 == 0) {
                        target[i] = ids[i];
                        ids[i] = maskId;
                    }
                }
            } else {
                for (int i = 0; i + 1 < n; i++) {
                    target[i] = ids[i + 1];
                }
            }
            if (java.util.Arrays.stream(target).anyMatch(x -> x >= 0)) {
                inputs.add(ids);
                targets.add(target);
            }
        }
        if (inputs.isEmpty()) {
            throw new FewNerException("the support sentences give no token to compute a loss on");
        }
    }

    int sentences() {
        return inputs.size();
    }

    @Override
    public double loss(Backbone backbone, String adapterName) {
        double total = 0;
        long count = 0;
        for (int s = 0; s < inputs.size(); s++) {
            long[] ids = inputs.get(s);
            long[][] mask = {new long[ids.length]};
            java.util.Arrays.fill(mask[0], 1);
            try (NDManager m = backbone.manager().newSubManager()) {
                BackboneOutput out = backbone.forward(m, new long[][] {ids}, mask, adapterName);
                if (out.logits() == null) {
                    throw new FewNerException(
                            "the model has no LM head (no logits); the placeholder compose loss needs one");
                }
                float[] logits = out.logits().toFloatArray();
                int v = (int) out.logits().getShape().get(2);
                long[] target = targets.get(s);
                for (int i = 0; i < target.length; i++) {
                    if (target[i] < 0) {
                        continue;
                    }
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < v; j++) {
                        max = Math.max(max, logits[i * v + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < v; j++) {
                        sum += Math.exp(logits[i * v + j] - max);
                    }
                    total += max + Math.log(sum) - logits[i * v + (int) target[i]];
                    count++;
                }
            }
        }
        return total / count;
    }
}
