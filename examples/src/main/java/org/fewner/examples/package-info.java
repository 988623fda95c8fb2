/**
 * Runnable uimaFIT examples, each run by a test: {@link org.fewner.examples.RawTextPipeline} (raw
 * text, OpenNLP segmentation, the FewNER engine, XMI and CoNLL writers) and {@link
 * org.fewner.examples.TwoAdaptersPerDocument} (two LoRA adapters on one base, chosen per document).
 * The training-pipeline example comes with the training consumer (span-method issue). {@link
 * org.fewner.examples.Segmentation} and {@link org.fewner.examples.TextDocuments} are shared with
 * {@code fewner annotate}.
 */
package org.fewner.examples;
