package org.fewner.cli.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fewner.cli.CliRun;
import org.junit.jupiter.api.Test;

/**
 * Command-line parse errors (issue 27): one {@code fewner:} line with a pointer to the command's
 * {@code --help}, exit 2, instead of 9-37 lines of usage.
 */
class ParseErrorsTest {
    @Test
    void parseErrorsAreOneLineWithAPointerToHelp() {
        CliRun.run("eval", "fewnerd", "--file", "f", "--out", "o", "--bogus")
                .assertUserError("Unknown option: '--bogus'", "(see 'fewner eval fewnerd --help')");
        CliRun.run("eval", "fewnerd", "--out", "x", "--method", "opennlp")
                .assertUserError("Missing required option: '--file=FILE'");
        CliRun.run("annotate", "--threshold", "abc", "x.txt")
                .assertUserError("'abc' is not a", "'fewner annotate --help'");
        CliRun.run("eval", "fewnerd", "--file", "f", "--out", "o", "-O", "justakey")
                .assertUserError("KEY=VALUE", "justakey");
        CliRun.run("annotate", "--batch-size", "99999999999", "x.txt")
                .assertUserError("'99999999999' is not an int");
        CliRun.run("adapter", "info").assertUserError("Missing required parameter", "DIR");
        CliRun.run("eval").assertUserError("Missing sub-command", "'fewner eval --help'");
        CliRun.run("eval", "fewnerd", "--file", "f", "--out", "o", "--max-episode", "5")
                .assertUserError("'--max-episode'", "did you mean --max-episodes");
    }

    @Test
    void controlCharactersInTheInputAreEscaped() {
        CliRun r =
                CliRun.run(
                        "eval", "fewnerd", "--file", "f", "--out", "o", "--bo\u0000gus\u001b[2J");
        r.assertUserError("\\u0000", "\\u001b");
        assertTrue(r.err().chars().noneMatch(c -> c < 0x20 && c != '\n'), r.err());
    }

    @Test
    void helpStillPrintsUsage() {
        CliRun r = CliRun.run("eval", "fewnerd", "--help");
        assertEquals(0, r.code());
    }
}
