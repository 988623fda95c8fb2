/**
 * Generated UIMA XML descriptors for FewNER's readers and analysis engine, to drop into non-uimaFIT
 * pipelines (comes with the analysis-engine issue).
 */
package org.fewner.descriptors;
