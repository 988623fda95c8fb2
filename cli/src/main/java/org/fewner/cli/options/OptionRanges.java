package org.fewner.cli.options;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Checks every parsed option against its {@link Range} and runs the {@link Validated} hooks: what
 * the command line does between parsing and a command's work ({@code FewNer.newCommandLine}'s
 * execution strategy). Also tells which options are numeric, for the property test that every one
 * of them has a range.
 */
public final class OptionRanges {
    private OptionRanges() {}

    /**
     * Checks the ranges and runs the validation hooks of every command on {@code parsed}'s chain
     * (e.g. {@code fewner}, {@code eval}, {@code eval fewnerd}); nothing when help was asked for.
     */
    public static void check(ParseResult parsed) {
        List<ParseResult> chain = new ArrayList<>();
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
                return;
            }
            chain.add(p);
        }
        for (ParseResult p : chain) {
            check(p.commandSpec());
        }
        for (ParseResult p : chain) {
            validate(p.commandSpec());
        }
    }

    /** Checks every option and positional parameter of {@code spec} against its {@link Range}. */
    public static void check(CommandSpec spec) {
        for (ArgSpec arg : spec.args()) {
            Range range = range(arg);
            if (range != null) {
                checkValue(arg, range, arg.getValue());
            }
        }
    }

    /** Runs {@link Validated#validate} of the command's user object and of its mixins. */
    public static void validate(CommandSpec spec) {
        for (CommandSpec mixin : spec.mixins().values()) {
            validate(mixin);
        }
        if (spec.userObject() instanceof org.fewner.common.options.Validated v) {
            v.validate();
        }
    }

    /**
     * The {@link Range} annotation of an option or parameter (or the same range stated with {@link
     * org.fewner.common.options.Range}, for options declared below the command line), or null.
     */
    public static Range range(ArgSpec arg) {
        Object u = arg.userObject();
        if (!(u instanceof AnnotatedElement e)) {
            return null;
        }
        Range r = e.getAnnotation(Range.class);
        if (r != null) {
            return r;
        }
        org.fewner.common.options.Range c = e.getAnnotation(org.fewner.common.options.Range.class);
        return c == null ? null : of(c);
    }

    /** The {@link Range} stating the same as {@code c}. */
    static Range of(org.fewner.common.options.Range c) {
        return new Range() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return Range.class;
            }

            @Override
            public double min() {
                return c.min();
            }

            @Override
            public double max() {
                return c.max();
            }

            @Override
            public boolean minExclusive() {
                return c.minExclusive();
            }

            @Override
            public boolean maxExclusive() {
                return c.maxExclusive();
            }

            @Override
            public boolean finite() {
                return c.finite();
            }

            @Override
            public String note() {
                return c.note();
            }
        };
    }

    /** Whether the option holds numbers (a number, or a list or array of them). */
    public static boolean isNumeric(ArgSpec arg) {
        if (isNumber(arg.type())) {
            return true;
        }
        if (arg.type().isArray()) {
            return isNumber(arg.type().getComponentType());
        }
        if (Collection.class.isAssignableFrom(arg.type())) {
            Class<?>[] aux = arg.auxiliaryTypes();
            return aux.length > 0 && isNumber(aux[0]);
        }
        return false;
    }

    static boolean isNumber(Class<?> c) {
        return c == int.class
                || c == long.class
                || c == double.class
                || c == float.class
                || c == short.class
                || c == byte.class
                || Number.class.isAssignableFrom(c);
    }

    /** The name used in messages: the option's longest name, or the parameter's label. */
    public static String name(ArgSpec arg) {
        if (arg instanceof OptionSpec o) {
            return o.longestName();
        }
        return arg.paramLabel();
    }

    private static void checkValue(ArgSpec arg, Range range, Object value) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> c) {
            for (Object v : c) {
                checkValue(arg, range, v);
            }
            return;
        }
        if (value instanceof Map<?, ?> m) {
            for (Object v : m.values()) {
                checkValue(arg, range, v);
            }
            return;
        }
        if (value.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(value); i++) {
                checkValue(arg, range, Array.get(value, i));
            }
            return;
        }
        if (value instanceof Number n) {
            String problem = problem(range, n);
            if (problem != null) {
                throw new FewNerException(name(arg) + ": " + problem);
            }
        }
    }

    /** Why {@code n} is outside {@code range}, or null when it is inside. */
    public static String problem(Range range, Number n) {
        boolean integral = !(n instanceof Double || n instanceof Float || n instanceof BigDecimal);
        double v = n.doubleValue();
        boolean ok;
        if (integral) {
            long l = n.longValue();
            ok =
                    (range.minExclusive() ? l > range.min() : l >= range.min())
                            && (range.maxExclusive() ? l < range.max() : l <= range.max());
        } else {
            ok =
                    !Double.isNaN(v)
                            && (!range.finite() || Double.isFinite(v))
                            && (range.minExclusive() ? v > range.min() : v >= range.min())
                            && (range.maxExclusive() ? v < range.max() : v <= range.max());
        }
        if (ok) {
            return null;
        }
        return "expected "
                + describe(range, integral)
                + ", got "
                + n
                + (range.note().isEmpty() ? "" : " (" + range.note() + ")");
    }

    /** E.g. "a positive integer", "an integer >= 0", "a number from 0 to 1", "a number above 0". */
    public static String describe(Range range, boolean integral) {
        String what = integral ? "an integer" : (range.finite() ? "a number" : "a number (or inf)");
        boolean lo = range.min() != Double.NEGATIVE_INFINITY;
        boolean hi = range.max() != Double.POSITIVE_INFINITY;
        if (integral && lo && !hi && !range.minExclusive() && range.min() == 1) {
            return "a positive integer";
        }
        if (lo && hi && !range.minExclusive() && !range.maxExclusive()) {
            return what + " from " + fmt(range.min()) + " to " + fmt(range.max());
        }
        StringBuilder b = new StringBuilder(what);
        if (lo) {
            b.append(range.minExclusive() ? " above " : " >= ").append(fmt(range.min()));
        }
        if (hi) {
            b.append(lo ? " and" : "")
                    .append(range.maxExclusive() ? " below " : " <= ")
                    .append(fmt(range.max()));
        }
        return b.toString();
    }

    private static String fmt(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /** Every command of the tree under {@code root} (itself included), depth first. */
    public static List<CommandLine> commands(CommandLine root) {
        List<CommandLine> all = new ArrayList<>();
        all.add(root);
        for (CommandLine sub : root.getSubcommands().values()) {
            if (!all.contains(sub)) {
                for (CommandLine c : commands(sub)) {
                    if (!all.contains(c)) {
                        all.add(c);
                    }
                }
            }
        }
        return all;
    }
}
