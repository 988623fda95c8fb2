package org.fewner.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fewner.cli.FewNer;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {
    @TempDir Path tmp;

    record Run(int rc, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = FewNer.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    Path episodes() throws Exception {
        String line =
                Json.line(
                        Map.of(
                                "support",
                                Map.of(
                                        "word",
                                                List.of(
                                                        List.of("ann", "met", "bob"),
                                                        List.of("in", "rome")),
                                        "label",
                                                List.of(
                                                        List.of("person", "O", "person"),
                                                        List.of("O", "city"))),
                                "query",
                                Map.of(
                                        "word", List.of(List.of("bob", "met", "ann")),
                                        "label", List.of(List.of("person", "O", "person"))),
                                "types",
                                List.of("city", "person")));
        return Files.writeString(tmp.resolve("test_5_1.jsonl"), line + "\n" + line + "\n");
    }

    @Test
    void fewNerdWithOpenNlpWritesEveryOutputAndRecordsTheCommand() throws Exception {
        Path f = episodes();
        Path out = tmp.resolve("out");
        Run r =
                run(
                        "eval",
                        "fewnerd",
                        "--file",
                        f.toString(),
                        "--method",
                        "opennlp",
                        "--no-progress",
                        "--out",
                        out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("opennlp: P "), r.out());
        for (String name :
                List.of(
                        "results.json",
                        "predictions.jsonl",
                        "report.md",
                        "f1.png",
                        "checkpoint.json")) {
            assertTrue(Files.exists(out.resolve(name)), name);
        }
        var results = Json.readTree(out.resolve("results.json"));
        assertEquals(
                "./fewner eval fewnerd --file "
                        + f
                        + " --method opennlp --no-progress --out "
                        + out,
                results.path("command").asText());
        Run again = run("eval", "rescore", out.resolve("predictions.jsonl").toString());
        assertEquals(0, again.rc(), again.err());
        assertEquals(
                results.path("micro").path("f1").asDouble(),
                Json.MAPPER.readTree(again.out()).path("micro").path("f1").asDouble(),
                0.01);
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws Exception {
        Path f = Files.writeString(tmp.resolve("eng.testb"), "EU NNP I-NP I-ORG\n");
        Run r =
                run(
                        "eval",
                        "fewnerd",
                        "--file",
                        f.toString(),
                        "--method",
                        "opennlp",
                        "--no-progress",
                        "--out",
                        tmp.resolve("o").toString());
        assertEquals(2, r.rc());
        assertTrue(r.err().startsWith("fewner: " + f + ":1: not JSON"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void theDefaultMethodIsSpanAndAModelWithoutAnAdapterSaysWhatToDo() throws Exception {
        Path f = episodes();
        Path model =
                org.fewner.uimaannotator.TinyModels.bert(
                        tmp.resolve("tiny-default-method"), 16, 32, 2);
        Run r =
                run(
                        "eval",
                        "fewnerd",
                        "--file",
                        f.toString(),
                        "--model",
                        model.toString(),
                        "--no-progress",
                        "--out",
                        tmp.resolve("default-method").toString());
        assertEquals(2, r.rc(), r.err());
        assertTrue(
                r.err().contains("--method span: no adapter shipped for --model")
                        && r.err().contains("--method frozen-prototype"),
                r.err());
    }
}
