package org.fewner.llm.tensors;

import java.nio.file.Path;
import org.fewner.common.FewNerException;

/**
 * A model or tensor file that cannot be used; the message names the file and what is wrong with it.
 */
public class TensorFileException extends FewNerException {
    private final transient Path file;

    public TensorFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public TensorFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
