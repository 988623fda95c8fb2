package org.fewner.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fewner.cli.CliRun;
import org.fewner.common.OutputFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 27 ("Hardening II") on {@code fewner eval}: output folders, numeric options, -O keys. */
class EvalHardeningTest {
    @TempDir Path tmp;

    Path episodes() throws Exception {
        return new EvalCommandTest() {
            {
                tmp = EvalHardeningTest.this.tmp;
            }
        }.episodes();
    }

    static CliRun eval(Path file, Path out, String... more) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "eval",
                                "fewnerd",
                                "--file",
                                file.toString(),
                                "--method",
                                "opennlp",
                                "--no-progress",
                                "--out",
                                out.toString()));
        a.addAll(List.of(more));
        return CliRun.run(a.toArray(String[]::new));
    }

    @Test
    void numericOptionsAndMethodOptionsAreCheckedBeforeAnyWork() throws Exception {
        Path f = episodes();
        Path out = tmp.resolve("out");
        eval(f, out, "--cache-mb", "-5").assertUserError("--cache-mb: expected an integer");
        eval(f, out, "--max-episodes", "-1").assertUserError("--max-episodes: expected");
        eval(f, out, "--layer", "-3").assertUserError("--layer: expected an integer >= 0");
        eval(f, out, "-O", "typeing=mean")
                .assertUserError(
                        "-O 'typeing': unknown option of method opennlp", "opennlp-cutoff");
        eval(f, out, "-O", "opennlp-cutoff=abc")
                .assertUserError("-O opennlp-cutoff='abc': method opennlp expects an integer");
        CliRun.run(
                        "eval",
                        "fewnerd",
                        "--file",
                        f.toString(),
                        "--method",
                        "span",
                        "-O",
                        "threshold=NaN",
                        "--out",
                        out.toString())
                .assertUserError("-O threshold='NaN': method span expects a number from 0 to 1");
        CliRun.run(
                        "eval",
                        "fewnerd",
                        "--file",
                        f.toString(),
                        "--method",
                        "span",
                        "-O",
                        "typing=banana",
                        "--out",
                        out.toString())
                .assertUserError(
                        "-O typing='banana': method span expects mixed or projection or mean");
        eval(f, out, "--overwrite", "--resume").assertUserError("exclude each other");
        eval(f, out, "--resume").assertUserError("no checkpoint to resume");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void theOutputFolderIsOwnedLockedAndOnlyOwnOutputIsReplaced() throws Exception {
        Path f = episodes();
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "keep");
        eval(f, mine).assertUserError("is not the output of a fewner command");
        eval(f, mine, "--overwrite").assertUserError("is not the output of a fewner command");
        eval(f, mine, "--resume").assertUserError("is not the output of a fewner command");
        assertEquals(List.of(mine.resolve("notes.txt")), Files.list(mine).toList());

        Path file = Files.writeString(tmp.resolve("file"), "x");
        eval(f, file).assertUserError("exists and is not a directory");

        Path out = tmp.resolve("out");
        assertEquals(0, eval(f, out).code());
        assertEquals("eval fewnerd", OutputFolder.owner(out));
        eval(f, out).assertUserError("already holds an earlier output", "--overwrite", "--resume");
        CliRun again = eval(f, out, "--overwrite");
        assertEquals(0, again.code(), again.err());
        CliRun resumed = eval(f, out, "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        // eval kshot may not replace an eval fewnerd folder
        CliRun.run(
                        "eval",
                        "kshot",
                        "--train",
                        "conll:" + f,
                        "--test",
                        "conll:" + f,
                        "--k",
                        "1",
                        "--method",
                        "opennlp",
                        "--overwrite",
                        "--out",
                        out.toString())
                .assertUserError("holds the output of 'fewner eval fewnerd'");

        // a second writer while the first holds the folder (an eval --resume while it runs)
        try (OutputFolder first =
                OutputFolder.open(out, "eval fewnerd", OutputFolder.Mode.RESUME)) {
            eval(f, out, "--resume")
                    .assertUserError(
                            "in use by another fewner run",
                            "pid " + ProcessHandle.current().pid(),
                            "'fewner eval fewnerd'");
        }
        long lines = Files.readAllLines(out.resolve("predictions.jsonl")).size();
        assertEquals(2, lines, "no interleaved duplicate lines");
    }

    @Test
    void aCutEpisodeFileFailsBeforeAnythingIsWritten() throws Exception {
        Path good = episodes();
        String text = Files.readString(good);
        Path cut = Files.writeString(tmp.resolve("cut.jsonl"), text + text.substring(0, 40));
        Path out = tmp.resolve("out");
        eval(cut, out, "--max-episodes", "0").assertUserError(cut + ":3:");
        assertFalse(Files.exists(out), "no checkpoint left to block a rerun");
        assertEquals(0, eval(good, out).code());
        eval(tmp, tmp.resolve("o2")).assertUserError(tmp + ": is a directory (expected a file)");
        CliRun.run(
                        "eval",
                        "kshot",
                        "--train",
                        "conll:" + tmp,
                        "--test",
                        "conll:" + good,
                        "--k",
                        "1",
                        "--method",
                        "opennlp",
                        "--out",
                        tmp.resolve("o3").toString())
                .assertUserError(tmp + ": is a directory (expected a file)");
        assertFalse(Files.exists(tmp.resolve("o2")) || Files.exists(tmp.resolve("o3")));
    }

    @Test
    void rescoreRefusesEmptyFilesAndDuplicatedLines() throws Exception {
        Path f = episodes();
        Path out = tmp.resolve("out");
        assertEquals(0, eval(f, out).code());
        Path empty = Files.writeString(tmp.resolve("empty.jsonl"), "\n");
        CliRun.run("eval", "rescore", empty.toString())
                .assertUserError(empty + ": no predictions (an empty file");
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        List<String> dup = new ArrayList<>(lines);
        dup.add(lines.get(0));
        Path twice = Files.write(tmp.resolve("twice.jsonl"), dup);
        CliRun.run("eval", "rescore", twice.toString())
                .assertUserError(twice + ":3: episode 0 sentence 0 is already at line 1");
        CliRun.run("eval", "rescore", tmp.toString())
                .assertUserError(tmp + ": is a directory (expected a file)");
        CliRun.run("eval", "rescore", "--aggregation", "median", empty.toString())
                .assertUserError("--aggregation 'median': expected pooled or mean_over_episodes");
    }
}
