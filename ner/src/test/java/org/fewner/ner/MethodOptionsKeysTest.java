package org.fewner.ner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.junit.jupiter.api.Test;

class MethodOptionsKeysTest {
    private static String error(String method, Map<String, String> given) {
        return assertThrows(FewNerException.class, () -> MethodOptions.requireKnown(method, given))
                .getMessage();
    }

    @Test
    void unknownKeysAndBadValuesAreOneLineErrorsListingWhatIsKnown() {
        String m = error("span", Map.of("typeing", "mean"));
        assertTrue(m.startsWith("-O 'typeing': unknown option of method span (known: "), m);
        assertTrue(m.contains("typing") && m.contains("threshold"), m);
        assertEquals(
                "-O typing='banana': method span expects mixed or projection or mean",
                error("span", Map.of("typing", "banana")));
        assertTrue(error("span", Map.of("threshold", "NaN")).contains("a number from 0 to 1"));
        assertTrue(error("span", Map.of("adapt-steps", "-1")).contains("an integer from 0"));
        assertTrue(
                error("frozen-prototype", Map.of("opennlp-cutoff", "1"))
                        .contains("unknown option of method frozen-prototype (known: "));
        MethodOptions.requireKnown(
                "span", Map.of("typing", "mixed", "threshold", "0.4", "layer", "9"));
        MethodOptions.requireKnown("opennlp", Map.of("opennlp-cutoff", "1"));
        // a method that declared nothing is not checked
        MethodOptions.requireKnown("someone-elses-method", Map.of("anything", "goes"));
        MethodOptions.declareKeys("mine", List.of(MethodOptions.Key.positive("rate")));
        assertEquals(
                "-O rate='0': method mine expects a number above 0",
                error("mine", Map.of("rate", "0")));
    }
}
