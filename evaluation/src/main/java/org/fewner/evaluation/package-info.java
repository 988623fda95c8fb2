/**
 * The evaluation harness that scores CLLMFS/BANER protocols (Few-NERD episodes, cross-domain)
 * beside baselines (comes with the evaluation issue).
 */
package org.fewner.evaluation;
