/**
 * Few-shot NER over word sequences, free of UIMA: {@link org.fewner.ner.FewShotMethod} (support set
 * in, recogniser out) and the methods behind it. The evaluation harness feeds it episodes, the UIMA
 * analysis engine feeds it the {@code Sentence}/{@code Token} layers of a CAS, Spark feeds it
 * partitions.
 */
package org.fewner.ner;
