package org.fewner.llm.lora;

import java.nio.file.Path;

/**
 * An adapter that cannot be used with the model at hand (bad file, unsupported PEFT feature, shapes
 * or modules that do not fit). The message names the file (or adapter), the field or tensor, and
 * what was expected.
 */
public class AdapterException extends IllegalArgumentException {
    public AdapterException(String message) {
        super(message);
    }

    public AdapterException(Path where, String problem) {
        super(where + ": " + problem);
    }
}
