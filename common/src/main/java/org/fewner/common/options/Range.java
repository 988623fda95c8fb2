package org.fewner.common.options;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The range of a numeric picocli option declared in a module below the command line ({@code
 * pipeline}, {@code spark}: they cannot see {@code org.fewner.cli.options.Range}). The same
 * attributes and meaning; the command line's range check ({@code OptionRanges}) reads both, so an
 * option carrying this one is checked after parsing and before any work like any other.
 *
 * <pre>{@code
 * @Option(names = "--partitions", defaultValue = "0")
 * @org.fewner.common.options.Range(min = 0, note = "0 = as read")
 * int partitions;
 * }</pre>
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
