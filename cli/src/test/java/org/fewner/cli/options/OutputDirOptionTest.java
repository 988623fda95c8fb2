package org.fewner.cli.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fewner.cli.CliRun;
import org.fewner.common.OutputFolder;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --out}/{@code --overwrite} of the folder-writing commands (issue 27, data loss). */
class OutputDirOptionTest {
    @TempDir Path tmp;

    CliRun init(Path model, Path out, String... more) {
        List<String> a =
                new java.util.ArrayList<>(
                        List.of(
                                "adapter",
                                "init",
                                "--model",
                                model.toString(),
                                "--rank",
                                "2",
                                "--alpha",
                                "4",
                                "--targets",
                                "query,value",
                                "--seed",
                                "1",
                                "--out",
                                out.toString()));
        a.addAll(List.of(more));
        return CliRun.run(a.toArray(String[]::new));
    }

    @Test
    void onlyTheSameCommandsOutputIsReplacedAndOnlyWithOverwrite() throws Exception {
        Path model = TinyModels.bert(tmp.resolve("model"), 16, 32, 1);
        Path out = tmp.resolve("ad");
        assertEquals(0, init(model, out).code());
        assertEquals("adapter init", OutputFolder.owner(out));
        init(model, out)
                .assertUserError("already holds an earlier output of 'fewner adapter init'");
        CliRun again = init(model, out, "--overwrite");
        assertEquals(0, again.code(), again.err());

        // the model directory (no marker) is never replaced, --overwrite or not
        init(model, model, "--overwrite").assertUserError("is not the output of a fewner command");
        assertTrue(Files.exists(model.resolve("model.safetensors")));
        // another command's output
        Path merged = tmp.resolve("merged");
        assertEquals(
                0,
                CliRun.run(
                                "adapter",
                                "merge",
                                "--model",
                                model.toString(),
                                "--adapter",
                                out.toString(),
                                "--out",
                                merged.toString())
                        .code());
        init(model, merged, "--overwrite")
                .assertUserError("holds the output of 'fewner adapter merge'");
        // a file
        Path file = Files.writeString(tmp.resolve("notes.txt"), "x");
        init(model, file, "--overwrite").assertUserError("exists and is not a directory");
        assertEquals("x", Files.readString(file));
    }
}
