/**
 * FewNER's neural runtime on DJL's PyTorch engine (CPU, FP32 by default): model files ({@code
 * tensors}, {@code config}), tokenizers, the BERT encoder and decoder backbones, and LoRA adapters.
 * Knows nothing of UIMA.
 */
package org.fewner.llm;
