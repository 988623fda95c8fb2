package org.fewner.llm.lora;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * PEFT's {@code target_modules} (and {@code exclude_modules}) value: a list of names, a regular
 * expression, or the shorthand {@code "all-linear"}.
 *
 * <ul>
 *   <li>list: a module matches if its name equals an entry or ends with {@code "." + entry} ("proj"
 *       does not match "q_proj");
 *   <li>regex (a JSON string): {@code re.fullmatch} on the whole module name;
 *   <li>all-linear: every linear layer except the model's output layer ({@code lm_head}, {@code
 *       cls.predictions.decoder}).
 * </ul>
 */
public sealed interface TargetModules {

    /** The list form. */
    record Names(List<String> names) implements TargetModules {
        public Names {
            names = List.copyOf(names);
        }

        /** Exact name. */
        public boolean exact(String key) {
            return names.contains(key);
        }

        /** Exact name or '.'-boundary suffix. */
        public boolean matches(String key) {
            return names.contains(key) || names.stream().anyMatch(t -> key.endsWith("." + t));
        }
    }

    /**
     * The string form: a Java regex with Python's fullmatch semantics (the PEFT patterns in use are
     * compatible).
     */
    record Regex(String pattern) implements TargetModules {
        public Regex {
            Objects.requireNonNull(pattern);
            Pattern.compile(pattern); // fail early on a bad pattern
        }

        public boolean matches(String key) {
            return Pattern.compile(pattern).matcher(key).matches();
        }
    }

    /** {@code "all-linear"}. */
    record AllLinear() implements TargetModules {}

    String ALL_LINEAR = "all-linear";

    static TargetModules ofNames(String... names) {
        return new Names(List.of(names));
    }
}
