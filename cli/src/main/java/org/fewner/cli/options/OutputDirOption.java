package org.fewner.cli.options;

import java.nio.file.Path;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.OutputFolder;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --overwrite} for a command that writes an output folder given as {@code --out} (a picocli
 * mixin), and the one-liners that write that folder safely ({@link OutputFolder}): the folder gets
 * the command's marker, a non-empty folder that is not the same command's earlier output is
 * refused, {@code --overwrite} replaces only such an earlier output, an existing file is refused,
 * and a second run on the same folder stops saying who holds it. The checks run before any work
 * ({@link #validate}, called by the command line after parsing).
 *
 * <pre>{@code
 * @Option(names = "--out", required = true) Path out;
 * @Mixin OutputDirOption output;
 * ...
 * output.write(dir -> adapter.write(dir));                 // whole folder at the end, atomically
 * try (OutputFolder f = output.open(resume)) { ... }       // in place (checkpoints, --resume)
 * }</pre>
 */
public final class OutputDirOption implements Validated {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(
            names = "--overwrite",
            description =
                    "Replace an earlier output of this same command in --out (a folder holding its "
                            + ".fewner-output marker); any other non-empty folder is refused.")
    boolean overwrite;

    /** Whether {@code --overwrite} was given. */
    public boolean overwrite() {
        return overwrite;
    }

    /** The command's name as its marker records it, e.g. {@code adapter init}. */
    public String command() {
        return mixee.qualifiedName(" ").replaceFirst("^fewner ", "");
    }

    /** The value of the command's {@code --out} (or {@code --output}); null when not given. */
    public Path out() {
        OptionSpec o = mixee.findOption("--out");
        if (o == null) {
            o = mixee.findOption("--output");
        }
        if (o == null) {
            throw new IllegalStateException(command() + " has no --out or --output option");
        }
        Object v = o.getValue();
        return v == null ? null : v instanceof Path p ? p : Path.of(v.toString());
    }

    @Override
    public void validate() {
        Path out = out();
        if (out != null) {
            OutputFolder.check(
                    out,
                    command(),
                    overwrite ? OutputFolder.Mode.OVERWRITE : OutputFolder.Mode.NEW);
        }
    }

    /** Writes {@code --out} in one go through {@link OutputFolder#write}. */
    public void write(AtomicFiles.DirectoryWriter writer) {
        OutputFolder.write(out(), command(), overwrite, writer);
    }

    /**
     * Claims {@code --out} to write in place ({@link OutputFolder#open}); {@code resume} continues
     * one's own earlier output (with {@code --overwrite} an error).
     */
    public OutputFolder open(boolean resume) {
        return OutputFolder.open(out(), command(), OutputFolder.Mode.of(overwrite, resume));
    }

    /** A value a writer lambda computes, carried out of it. */
    public static final class Result<T> {
        private T value;

        public void set(T v) {
            value = v;
        }

        public T get() {
            if (value == null) {
                throw new FewNerException("internal: no result written");
            }
            return value;
        }
    }
}
