/**
 * Runnable uimaFIT examples, each run by a test: small programs a user copies. They depend on the
 * product ({@code fewner-pipeline}, the engine, the readers); nothing depends on them ({@code
 * ArchitectureTest} and {@code ModulePomsTest} in the cli module). {@link
 * org.fewner.examples.RawTextPipeline} (raw text, OpenNLP segmentation, the FewNER engine, XMI and
 * CoNLL writers), {@link org.fewner.examples.TwoAdaptersPerDocument} (two LoRA adapters on one
 * base, chosen per document), {@link org.fewner.examples.TrainSpanAdapter} (training an adapter of
 * the span method) and {@link org.fewner.examples.ClinicalPipeline} (an Apache cTAKES-style
 * clinical pipeline: cTAKES's sentence and token types in, cTAKES's {@code IdentifiedAnnotation}
 * subtypes out).
 */
package org.fewner.examples;
