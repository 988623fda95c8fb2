package org.fewner.cli.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The detection-head options parse as documented (no training is run). */
class TrainCommandOptionsTest {
    /** The required options, then {@code more}. */
    static TrainCommand parse(String... more) {
        List<String> args =
                new ArrayList<>(List.of("--method", "span", "--source", "bio:x.txt", "--out", "o"));
        args.addAll(List.of(more));
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs(args.toArray(String[]::new));
        return c;
    }

    @Test
    void detectContextTakesAValueSoTheDefaultCanBeSwitchedOff() {
        TrainCommand off = parse("--detect-context", "false", "--detect-dim", "128");
        assertEquals(Boolean.FALSE, off.detectContext);
        assertEquals(128, off.detectDim);
        assertNull(parse().detectContext);
        assertThrows(
                CommandLine.ParameterException.class, () -> parse("--detect-context", "maybe"));
    }
}
