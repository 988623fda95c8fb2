/**
 * The FewNER UIMA analysis engine ({@link org.fewner.uimaannotator.FewNerAnnotator}): typed
 * NamedEntity annotations from a base model, optional LoRA adapters and a few labelled sentences,
 * through the one prediction interface {@link org.fewner.ner.FewShotMethod} and the one method
 * registry {@link org.fewner.ner.FewShotMethods}. The model is the UIMA shared resource {@link
 * org.fewner.uimaannotator.FewNerModelResource} (its URL the model, released in {@code destroy()}),
 * backed by the JVM's one model cache {@link org.fewner.uimaannotator.SharedModel}; the engine's
 * parts: {@link org.fewner.uimaannotator.AdapterRouting} (the adapter per document), {@link
 * org.fewner.uimaannotator.MentionWriter} (mentions to annotations), {@link
 * org.fewner.uimaannotator.EngineSettings} (parameter parsing), {@link
 * org.fewner.uimaannotator.SupportFiles} (the support set), {@link
 * org.fewner.uimaannotator.ClasspathLocations} (models and adapters packaged as jars on the class
 * path). Shipped label mappings: {@code lib/ner-dkpro.map} (DKPro's named-entity subtypes) and
 * {@code lib/ner-ctakes.map} (Apache cTAKES's {@code IdentifiedAnnotation} subtypes).
 */
package org.fewner.uimaannotator;
