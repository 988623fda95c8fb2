package org.fewner.llm.lora;

import org.fewner.llm.model.Backbone;

/**
 * The loss LoRAHub minimises: how badly the backbone does on the target task's few labelled
 * examples when run with the named adapter (forward calls pass {@code adapterName}). Lower is
 * better; must be finite. The NER loss of the training module plugs in here; {@link LoraHub} adds
 * the L1 regulariser itself.
 */
@FunctionalInterface
public interface TaskLoss {
    double loss(Backbone backbone, String adapterName);
}
