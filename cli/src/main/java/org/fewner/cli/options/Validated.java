package org.fewner.cli.options;

/**
 * A command (or a mixin of one) that checks its options before any work. The command line ({@code
 * FewNer.newCommandLine}) calls {@link #validate} after parsing and after the {@link Range} checks,
 * before the command's {@code run}/{@code call}, for the command and each of its mixins, so every
 * cross-option check ("--examples and --cache go together", {@code -O} keys known to the method)
 * happens before a model is loaded or a file written. A failure throws a {@code FewNerException}
 * (one line, exit 2).
 */
public interface Validated extends org.fewner.common.options.Validated {}
