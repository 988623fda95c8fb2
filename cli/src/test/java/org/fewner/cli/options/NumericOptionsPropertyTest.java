package org.fewner.cli.options;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.fewner.cli.FewNer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * For every command and every numeric option (found by walking picocli's model of {@code new
 * FewNer()}, so a new option is covered without being listed here), the values {@code NaN}, {@code
 * -1}, {@code 0}, {@code Long.MAX_VALUE + 1} and a non-number either pass (inside the option's
 * {@link Range}) or end as one {@code fewner:} line naming the option with exit 2; every numeric
 * option must state its {@link Range}. The command line runs in check-only mode ({@code
 * FewNer.newCommandLine(true)}: parsing, ranges and validation hooks, no work), and nothing may
 * appear in the temporary folder the path options point into.
 *
 * <p>{@link #PENDING}: options of commands still to be wired (their failures are expected); an
 * entry that starts to pass fails the test, so the list only shrinks.
 */
class NumericOptionsPropertyTest {
    static final List<String> VALUES = List.of("NaN", "-1", "0", "9223372036854775808", "abc");

    /**
     * Known pending: "command option" keys that fail today (commands under rework elsewhere). Empty
     * it as they are wired; a key here that passes is an error.
     */
    static final Set<String> PENDING = Set.of();

    @TempDir Path tmp;

    @Test
    void everyNumericOptionHasARangeAndBadValuesAreOneLineErrors() throws Exception {
        Map<String, String> failures = new TreeMap<>();
        Set<String> seen = new TreeSet<>();
        Path work = Files.createDirectories(tmp.resolve("work"));
        for (CommandLine c : OptionRanges.commands(FewNer.newCommandLine(true))) {
            CommandSpec spec = c.getCommandSpec();
            if (spec.userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            List<String> path = path(spec);
            for (ArgSpec arg : spec.args()) {
                if (!OptionRanges.isNumeric(arg) || arg.hidden()) {
                    continue;
                }
                String key = String.join(" ", path) + " " + OptionRanges.name(arg);
                seen.add(key);
                Range range = OptionRanges.range(arg);
                if (range == null) {
                    failures.put(key, "no @Range");
                    continue;
                }
                for (String value : VALUES) {
                    String problem = tryValue(spec, path, arg, value, range, work);
                    if (problem != null) {
                        failures.put(key, problem);
                        break;
                    }
                }
            }
        }
        assertTrue(seen.size() > 30, "numeric options found: " + seen);
        List<String> errors = new ArrayList<>();
        for (var e : failures.entrySet()) {
            if (!PENDING.contains(e.getKey())) {
                errors.add("FAILS: " + e.getKey() + ": " + e.getValue());
            }
        }
        for (String p : PENDING) {
            if (!failures.containsKey(p)) {
                errors.add(
                        "PASSES NOW (remove it from PENDING): "
                                + p
                                + (seen.contains(p) ? "" : " (no such option any more)"));
            }
        }
        if (!errors.isEmpty()) {
            fail(String.join("\n", errors));
        }
        try (var s = Files.walk(work)) {
            assertTrue(s.skip(1).findAny().isEmpty(), "nothing may be written");
        }
    }

    /** Null when the value behaves; else what went wrong. */
    private static String tryValue(
            CommandSpec spec,
            List<String> path,
            ArgSpec arg,
            String value,
            Range range,
            Path work) {
        List<String> args = new ArrayList<>(path.subList(1, path.size()));
        for (OptionSpec o : spec.options()) {
            if (o != arg && o.required()) {
                args.add(o.longestName());
                args.add(filler(o, work));
            }
        }
        if (arg instanceof OptionSpec o) {
            args.add(o.longestName());
            args.add(value);
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p == arg) {
                args.add(value);
            } else if (p.required() || p.arity().min() > 0) {
                args.add(filler(p, work));
            }
        }
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        CommandLine cl = FewNer.newCommandLine(true);
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        int code = cl.execute(args.toArray(String[]::new));
        String e = err.toString().strip();
        Boolean inside = inside(arg, range, value);
        String name = OptionRanges.name(arg);
        if (inside == null || !inside) {
            if (code != 2) {
                return value + ": accepted (exit " + code + "), expected a one-line error; " + e;
            }
            if (!e.startsWith("fewner: ") || e.contains("\n")) {
                return value + ": not one 'fewner:' line: " + e;
            }
            if (!e.contains(name) && !e.contains("'" + value + "'")) {
                return value + ": the message names neither the option nor the value: " + e;
            }
        } else {
            if (e.contains(name + ": expected")) {
                return value + ": refused though inside the range: " + e;
            }
            if (code != 0 && (!e.startsWith("fewner: ") || e.contains("\n"))) {
                return value + ": exit " + code + " without one 'fewner:' line: " + e;
            }
        }
        return null;
    }

    /**
     * Whether {@code value} is a valid value inside the range: null when it is not a value of the
     * option's type at all.
     */
    static Boolean inside(ArgSpec arg, Range range, String value) {
        Class<?> t = elementType(arg);
        Number n;
        try {
            if (t == int.class || t == Integer.class) {
                n = Integer.valueOf(value);
            } else if (t == long.class || t == Long.class) {
                n = Long.valueOf(value);
            } else if (t == short.class || t == Short.class) {
                n = Short.valueOf(value);
            } else if (t == byte.class || t == Byte.class) {
                n = Byte.valueOf(value);
            } else if (t == float.class || t == Float.class) {
                n = Float.valueOf(value);
            } else {
                n = Double.valueOf(value);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return OptionRanges.problem(range, n) == null;
    }

    static Class<?> elementType(ArgSpec arg) {
        if (arg.type().isArray()) {
            return arg.type().getComponentType();
        }
        if (Collection.class.isAssignableFrom(arg.type())) {
            return arg.auxiliaryTypes()[0];
        }
        return arg.type();
    }

    /** A value of the right type for a required option other than the one under test. */
    static String filler(ArgSpec a, Path work) {
        Class<?> t = elementType(a);
        if (OptionRanges.isNumeric(a)) {
            return "1";
        }
        if (t == Path.class || t == java.io.File.class) {
            return work.resolve("filler").toString();
        }
        if (t.isEnum()) {
            return t.getEnumConstants()[0].toString();
        }
        if (Map.class.isAssignableFrom(a.type())) {
            return "k=v";
        }
        return "x";
    }

    static List<String> path(CommandSpec spec) {
        List<String> p = new ArrayList<>();
        for (CommandSpec s = spec; s != null; s = s.parent()) {
            p.add(0, s.name());
        }
        return p;
    }
}
