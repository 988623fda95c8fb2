package org.fewner.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input gives one line naming the file and the problem. */
class BadInputTest {
    @TempDir Path tmp;

    static String episode(List<List<String>> sw, List<List<String>> sl, List<String> types) {
        return Json.line(
                Map.of(
                        "support", Map.of("word", sw, "label", sl),
                        "query",
                                Map.of(
                                        "word",
                                        List.of(List.of("ann")),
                                        "label",
                                        List.of(List.of("person"))),
                        "types", types));
    }

    static FewNerException firstTask(Path f) {
        return assertThrows(
                FewNerException.class,
                () -> {
                    try (TaskSource t = new FewNerdTasks(f, 0)) {
                        t.next();
                    }
                });
    }

    @Test
    void aFileThatIsNotEpisodes() throws Exception {
        Path f = tmp.resolve("eng.testb");
        Files.writeString(f, "EU NNP I-NP I-ORG\nrejects VBZ I-VP O\n");
        FewNerException e = firstTask(f);
        assertTrue(e.getMessage().startsWith(f + ":1: not JSON"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void anEmptyFile() throws Exception {
        Path f = tmp.resolve("empty.jsonl");
        Files.writeString(f, "\n");
        var e = assertThrows(FewNerException.class, () -> new FewNerdTasks(f, 0));
        // the reader's own check, during the validating pass before any work
        assertEquals(
                f + ":1: empty file: expected one episode (JSON object) per line", e.getMessage());
    }

    @Test
    void aTypeMissingFromTheSupportSet() throws Exception {
        Path f = tmp.resolve("test_5_1.jsonl");
        Files.writeString(
                f,
                episode(
                                List.of(List.of("ann", "smiles")),
                                List.of(List.of("person", "O")),
                                List.of("person", "city"))
                        + "\n");
        FewNerException e = firstTask(f);
        assertEquals(
                f
                        + ":1: episode 1: type(s) [city] have no example in the support set (each of the episode's types needs one)",
                e.getMessage());
    }

    @Test
    void aLabelOutsideTheEpisodesTypes() throws Exception {
        Path f = tmp.resolve("test_5_1.jsonl");
        Files.writeString(
                f,
                episode(
                                List.of(List.of("ann", "rome")),
                                List.of(List.of("person", "city")),
                                List.of("person"))
                        + "\n");
        FewNerException e = firstTask(f);
        assertEquals(
                f + ":1: support.label[0][1] 'city' is not among the episode's types 'person'",
                e.getMessage());
    }

    @Test
    void bioLabelsInAnIoEpisodeFile() throws Exception {
        Path f = tmp.resolve("test_5_1.jsonl");
        Files.writeString(
                f,
                episode(List.of(List.of("ann")), List.of(List.of("B-person")), List.of("person"))
                        + "\n");
        FewNerException e = firstTask(f);
        assertTrue(
                e.getMessage()
                        .startsWith(
                                f
                                        + ":1: episode 1: support sentence 1: label 'B-person' has a tag prefix"),
                e.getMessage());
    }

    @Test
    void aBadPredictionsLine() throws Exception {
        Path f = tmp.resolve("predictions.jsonl");
        Files.writeString(
                f,
                "{\"episode\":0,\"sentence\":0,\"tokens\":[\"a\"],\"gold\":[],\"pred\":[]}\n"
                        + "{\"episode\":0,\"sentence\":1,\"tokens\":[\"a\"],\"gold\":[[0,2,\"X\"]],\"pred\":[]}\n");
        var e = assertThrows(FewNerException.class, () -> Predictions.rescore(f));
        assertEquals(
                f + ":2: \"gold\" span [0, 2) is empty or outside the 1 tokens", e.getMessage());
        Files.writeString(f, "not json\n");
        var e2 = assertThrows(FewNerException.class, () -> Predictions.rescore(f));
        assertTrue(e2.getMessage().startsWith(f + ":1:1: not valid JSON"), e2.getMessage());
    }

    @Test
    void aKShotTestTypeNeverSeenInTraining() throws Exception {
        Path train = tmp.resolve("train.txt");
        Path test = tmp.resolve("test.txt");
        Files.writeString(train, "ann\tB-PER\nsmiles\tO\n");
        Files.writeString(test, "rome\tB-LOC\n");
        var e =
                assertThrows(
                        FewNerException.class,
                        () -> Protocol.kShot("conll:" + train, "conll:" + test, 1, 1));
        assertEquals(
                test
                        + ": test type 'LOC' never occurs in the training file "
                        + train
                        + " (types there: [PER])",
                e.getMessage());
        var f =
                assertThrows(
                        FewNerException.class,
                        () -> Protocol.kShot("xml:" + train, "conll:" + test, 1, 1));
        assertEquals("unknown format 'xml': expected conll2003 or conll", f.getMessage());
    }

    @Test
    void anUnknownMethod() {
        var e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                org.fewner.ner.FewShotMethods.create(
                                        "nope", org.fewner.ner.MethodOptions.of(Map.of())));
        assertTrue(
                e.getMessage().startsWith("--method 'nope': unknown method (known: "),
                e.getMessage());
        for (String known : new String[] {"frozen-prototype", "opennlp", "span", "generative"}) {
            assertTrue(e.getMessage().contains(known), e.getMessage());
        }
    }
}
