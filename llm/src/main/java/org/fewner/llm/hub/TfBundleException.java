package org.fewner.llm.hub;

import java.nio.file.Path;

/** A TensorFlow tensor bundle that cannot be read; the message names the file and the problem. */
public class TfBundleException extends RuntimeException {
    public TfBundleException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
