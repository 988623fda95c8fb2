package org.fewner.llm.hub;

import java.nio.file.Path;
import org.fewner.common.FewNerException;

/** A TensorFlow tensor bundle that cannot be read; the message names the file and the problem. */
public class TfBundleException extends FewNerException {
    public TfBundleException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public TfBundleException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
