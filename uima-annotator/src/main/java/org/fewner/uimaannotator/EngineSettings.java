package org.fewner.uimaannotator;

import static org.fewner.uimaannotator.FewNerAnnotator.PARAM_METHOD_OPTIONS;
import static org.fewner.uimaannotator.FewNerAnnotator.PARAM_TYPE_DEFINITIONS;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;

/** Parsing of the engine's multi-valued parameters ({@code key=value} lists). */
final class EngineSettings {
    private EngineSettings() {}

    /**
     * {@code key=value} entries of a multi-valued parameter, in order (keys and values trimmed).
     *
     * @throws FewNerException naming {@code param} for an entry without {@code =} or key
     */
    static Map<String, String> pairs(String param, String[] values) {
        Map<String, String> out = new LinkedHashMap<>();
        if (values == null) return out;
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq <= 0) {
                throw new FewNerException(
                        param + ": expected key=value, got " + FewNerException.quote(v));
            }
            out.put(v.substring(0, eq).trim(), v.substring(eq + 1).trim());
        }
        return out;
    }

    /** The method options: {@code methodOptions}, plus {@code definition.<type>} per definition. */
    static Map<String, String> methodOptions(String[] options, String[] typeDefinitions) {
        Map<String, String> out = new LinkedHashMap<>(pairs(PARAM_METHOD_OPTIONS, options));
        pairs(PARAM_TYPE_DEFINITIONS, typeDefinitions)
                .forEach((t, d) -> out.put("definition." + t, d));
        return out;
    }

    /** The values of an optional multi-valued parameter (unset: none). */
    static List<String> list(String[] values) {
        return values == null ? List.of() : Arrays.asList(values);
    }
}
