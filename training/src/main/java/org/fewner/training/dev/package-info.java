/**
 * Developer tools of the span method, apart from the product: feature caches and the development
 * loop ({@link org.fewner.training.dev.SpanDevTool}), scoring on cached episodes ({@link
 * org.fewner.training.dev.DevEval}, {@link org.fewner.training.dev.StoreFeatures}) and the step
 * profiler behind {@code ./fewner bench span-train} ({@link
 * org.fewner.training.dev.SpanStepProfiler}). What each is for and how to run it:
 * training/dev/README.md.
 */
package org.fewner.training.dev;
