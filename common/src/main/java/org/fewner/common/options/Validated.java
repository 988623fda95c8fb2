package org.fewner.common.options;

/**
 * A picocli command or mixin that checks its options before any work, for modules below the command
 * line ({@code pipeline}, {@code spark}: they cannot see {@code org.fewner.cli.options.Validated},
 * which extends this). The command line calls {@link #validate} after parsing and after the range
 * checks, before the command runs.
 */
public interface Validated {
    /** Checks the parsed options; throws a {@code FewNerException} naming the option. */
    void validate();
}
