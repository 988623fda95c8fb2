package org.fewner.cli.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The detection-head options parse as documented (no training is run). */
class TrainCommandOptionsTest {
    static TrainCommand parse(String... args) {
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void detectContextTakesAValueSoTheDefaultCanBeSwitchedOff() {
        TrainCommand off =
                parse(
                        "--method",
                        "span",
                        "--source",
                        "bio:x.txt",
                        "--out",
                        "o",
                        "--detect-context",
                        "false",
                        "--detect-dim",
                        "128");
        assertEquals(Boolean.FALSE, off.detectContext);
        assertEquals(128, off.detectDim);
        TrainCommand unset = parse("--method", "span", "--source", "bio:x.txt", "--out", "o");
        assertNull(unset.detectContext);
        assertThrows(
                CommandLine.ParameterException.class,
                () ->
                        parse(
                                "--method",
                                "span",
                                "--source",
                                "bio:x.txt",
                                "--out",
                                "o",
                                "--detect-context",
                                "maybe"));
    }
}
