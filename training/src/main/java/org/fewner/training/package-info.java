/**
 * The uimaFIT training pipeline: annotated CAS collections to training data, then contrastive and
 * adversarial LoRA fine-tuning (comes with the training issue).
 */
package org.fewner.training;
