package org.fewner.ner.generative;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.ner.MethodOptions;
import org.junit.jupiter.api.Test;

/** The batching options of {@code --method generative} are checked before any model is loaded. */
class GenerativeOptionsTest {
    @Test
    void badSharePrefixIsAnErrorNamingTheOption() {
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                new GenerativeMethod.Provider()
                                        .create(MethodOptions.of(Map.of("share-prefix", "yes"))));
        assertTrue(e.getMessage().contains("share-prefix"), e.getMessage());
        assertTrue(e.getMessage().contains("yes"), e.getMessage());
    }

    @Test
    void batchBelowOneIsAnErrorNamingTheOption() {
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                new GenerativeMethod.Provider()
                                        .create(MethodOptions.of(Map.of("batch", "0"))));
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
    }
}
