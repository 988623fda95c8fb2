/**
 * Runnable uimaFIT pipelines that show FewNER in use, written the way uimaFIT's own examples read.
 */
package org.fewner.examples;
