package org.fewner.llm.config;

import java.nio.file.Path;

/**
 * A config.json that FewNER cannot use; the message names the file, the field and what is
 * supported.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
