package org.fewner.llm.decoder;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Whether this thread records operations for autograd (inside a DJL {@code GradientCollector}). The
 * forward code uses in-place operations for speed only when it does not: an in-place change of an
 * array that a backward function saved makes libtorch's backward fail. ({@code
 * NDArray.hasGradient()} cannot tell: it is false for every intermediate result.)
 */
final class Autograd {
    private Autograd() {}

    static boolean recording() {
        return JniUtils.isGradMode();
    }
}
