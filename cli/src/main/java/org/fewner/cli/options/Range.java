package org.fewner.cli.options;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The range of a numeric picocli option or parameter, stated once beside its {@code @Option}: the
 * command line ({@link OptionRanges}, run by {@code FewNer} after parsing and before any command
 * starts) refuses a value outside it with one line, e.g. {@code --cache-mb: expected an integer >=
 * 0, got -5}. Lists and arrays are checked element by element; an unset optional value (null) is
 * not checked. Floating-point values must also be finite (NaN and infinities are refused) unless
 * {@link #finite} is false.
 *
 * <pre>{@code
 * @Option(names = "--cache-mb", defaultValue = "3072")
 * @Range(min = 0)
 * long cacheMb;
 *
 * @Option(names = "--threshold")
 * @Range(min = 0, max = 1)
 * Double threshold;
 *
 * @Option(names = "--alpha")
 * @Range(min = 0, minExclusive = true)   // "a number above 0"
 * double alpha;
 * }</pre>
 *
 * <p>Every numeric option of every command must carry one ({@code NumericOptionsPropertyTest}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface Range {
    /** Smallest allowed value (inclusive unless {@link #minExclusive}); default: no bound. */
    double min() default Double.NEGATIVE_INFINITY;

    /** Largest allowed value (inclusive unless {@link #maxExclusive}); default: no bound. */
    double max() default Double.POSITIVE_INFINITY;

    /** {@link #min} itself is not allowed ("above 0"). */
    boolean minExclusive() default false;

    /** {@link #max} itself is not allowed ("below 1"). */
    boolean maxExclusive() default false;

    /** Floating-point values must be finite (the default). */
    boolean finite() default true;

    /** What a special value means, appended to the message, e.g. {@code "0 = all"}. */
    String note() default "";
}
