package org.fewner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.uima.resource.ResourceInitializationException;
import org.fewner.common.FewNerException;
import org.fewner.llm.config.ConfigException;
import org.fewner.llm.lora.AdapterException;
import org.fewner.llm.tensors.TensorFileException;
import org.fewner.readers.FormatException;
import org.junit.jupiter.api.Test;

class FewNerTest {
    @Test
    void userErrorsAreDecidedByType() {
        Path f = Path.of("f.json");
        assertTrue(FewNer.isUserError(new FewNerException("x")));
        assertTrue(FewNer.isUserError(new ConfigException(f, "x")));
        assertTrue(FewNer.isUserError(new AdapterException(f, "x")));
        assertTrue(FewNer.isUserError(new TensorFileException(f, "x")));
        assertTrue(FewNer.isUserError(new FormatException("f.conll", 3, "x")));
        // a reader's error wrapped by UIMA on its way up
        assertTrue(
                FewNer.isUserError(
                        new ResourceInitializationException(new FormatException("f", 1, "x"))));
        // not user errors: bugs keep their stack trace
        assertFalse(FewNer.isUserError(new IllegalArgumentException("x")));
        assertFalse(FewNer.isUserError(new IllegalStateException("x")));
        assertFalse(FewNer.isUserError(new UncheckedIOException(new IOException("x"))));
        assertFalse(FewNer.isUserError(new NullPointerException()));
    }

    @Test
    void theMessageIsPrintedOnOneLine() {
        assertEquals(
                "fewner: f.conll:3: a b", FewNer.oneLine(new FewNerException("f.conll:3: a\n  b")));
        assertEquals(
                "fewner: f.conll:3: bad tag",
                new FormatException("f.conll", 3, "bad tag")
                        .getMessage()
                        .replaceFirst("^", "fewner: "));
    }
}
