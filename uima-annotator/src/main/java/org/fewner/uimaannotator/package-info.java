/**
 * The FewNER UIMA analysis engine: typed NamedEntity annotations from a base model, swappable LoRA
 * adapters and constrained span decoding (comes with issue "UIMA analysis engine").
 */
package org.fewner.uimaannotator;
