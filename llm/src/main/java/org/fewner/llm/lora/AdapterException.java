package org.fewner.llm.lora;

import java.nio.file.Path;
import org.fewner.common.FewNerException;

/**
 * An adapter that cannot be used with the model at hand (bad file, unsupported PEFT feature, shapes
 * or modules that do not fit). The message names the file (or adapter), the field or tensor, and
 * what was expected.
 */
public class AdapterException extends FewNerException {
    public AdapterException(String message) {
        super(message);
    }

    public AdapterException(String message, Throwable cause) {
        super(message, cause);
    }

    public AdapterException(Path where, String problem) {
        super(where + ": " + problem);
    }

    public AdapterException(Path where, String problem, Throwable cause) {
        super(where + ": " + problem, cause);
    }
}
