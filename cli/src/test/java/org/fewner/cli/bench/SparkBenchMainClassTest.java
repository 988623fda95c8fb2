package org.fewner.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.fewner.cli.FewNer;
import org.junit.jupiter.api.Test;

class SparkBenchMainClassTest {
    @Test
    void theMainClassNamedByStringIsTheRealOne() {
        assertEquals(FewNer.class.getName(), SparkBenchCommand.FEWNER_MAIN_CLASS);
    }
}
