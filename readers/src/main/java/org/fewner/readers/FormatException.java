package org.fewner.readers;

import org.fewner.common.FewNerException;

/**
 * Bad input in a corpus file: the message is {@code <file>:<line>: <problem>}, naming what was
 * expected. Line numbers are 1-based; line 0 means the file as a whole.
 *
 * <p>It is a {@link FewNerException} (unchecked), not an {@code IOException}: a format error is the
 * user's input, not a failing device. UIMA readers ({@code getNext}/{@code hasNext}) let it
 * propagate unchanged, so a pipeline (uimaFIT {@code SimplePipeline}, the CPE) ends with it or with
 * it as the cause of its own exception, and the command line finds it there by type.
 */
public class FormatException extends FewNerException {
    private final String file;
    private final int line;
    private final String problem;

    public FormatException(String file, int line, String problem) {
        this(file, line, problem, null);
    }

    public FormatException(String file, int line, String problem, Throwable cause) {
        super(line >= 1 ? file + ":" + line + ": " + problem : file + ": " + problem, cause);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    /** The file as it was named to the reader. */
    public String file() {
        return file;
    }

    /** 1-based line number of the problem (0: the whole file). */
    public int line() {
        return line;
    }

    /** What is wrong and what was expected, without the file and line. */
    public String problem() {
        return problem;
    }
}
