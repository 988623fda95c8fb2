package org.fewner.llm.config;

import java.nio.file.Path;
import org.fewner.common.FewNerException;

/**
 * A config.json that FewNER cannot use; the message names the file, the field and what is
 * supported.
 */
public class ConfigException extends FewNerException {
    public ConfigException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /** A message that already names the file (e.g. a JSON parse error with line and column). */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    public ConfigException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
