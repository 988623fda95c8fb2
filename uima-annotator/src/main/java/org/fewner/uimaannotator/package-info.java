/**
 * The FewNER UIMA analysis engine ({@link org.fewner.uimaannotator.FewNerAnnotator}): typed
 * NamedEntity annotations from a base model, optional LoRA adapters and a few labelled sentences,
 * through the one prediction interface {@link org.fewner.ner.FewShotMethod}. The model is shared
 * per JVM ({@link org.fewner.uimaannotator.SharedModel}, bound as the UIMA shared resource {@link
 * org.fewner.uimaannotator.FewNerModelResource}); methods are found through {@link
 * org.fewner.uimaannotator.FewShotMethodProvider}.
 */
package org.fewner.uimaannotator;
