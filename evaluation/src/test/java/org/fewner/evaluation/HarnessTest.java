package org.fewner.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.ner.FewShotMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the harness with OpenNLP on a small Few-NERD-style file: re-scoring and kill/resume. */
class HarnessTest {
    @TempDir Path tmp;

    static final String[] PEOPLE = {"ann", "bob", "carl", "dora", "eve", "fritz"};
    static final String[] CITIES = {"rome", "oslo", "paris", "lima", "kiev", "bern"};

    /** A sentence "x met y in z ." with IO labels. */
    static List<List<String>> sentence(Random r) {
        String p1 = PEOPLE[r.nextInt(PEOPLE.length)];
        String p2 = PEOPLE[r.nextInt(PEOPLE.length)];
        String c = CITIES[r.nextInt(CITIES.length)];
        boolean two = r.nextBoolean();
        List<String> w = new ArrayList<>(List.of(p1, "met", p2, "in", c));
        List<String> l = new ArrayList<>(List.of("person", "O", "person", "O", "city"));
        if (two) {
            w.add("yesterday");
            l.add("O");
        }
        w.add(".");
        l.add("O");
        return List.of(w, l);
    }

    static Path episodes(Path file, int n, long seed) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int e = 0; e < n; e++) {
            Map<String, Object> ep = new LinkedHashMap<>();
            for (String part : List.of("support", "query")) {
                List<List<String>> words = new ArrayList<>();
                List<List<String>> labels = new ArrayList<>();
                for (int s = 0; s < (part.equals("support") ? 3 : 5); s++) {
                    List<List<String>> x = sentence(r);
                    words.add(x.get(0));
                    labels.add(x.get(1));
                }
                ep.put(part, Map.of("word", words, "label", labels));
            }
            ep.put("types", List.of("city", "person"));
            lines.add(Json.line(ep));
        }
        Files.write(file, lines);
        return file;
    }

    static Evaluation.Options options(Path out, boolean resume) {
        return new Evaluation.Options(
                "opennlp", "default", "cpu", null, List.of(), 3, out, resume, false, Map.of(), 16,
                "test");
    }

    @AfterEach
    void resetHook() {
        Harness.afterCheckpoint = n -> {};
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> micro(Map<String, Object> results) {
        return (Map<String, Object>) results.get("micro");
    }

    @Test
    void rescoringPredictionsReproducesResultsJson() throws Exception {
        Path file = episodes(tmp.resolve("test_5_1.jsonl"), 6, 11);
        Path out = tmp.resolve("run");
        Map<String, Object> r =
                Evaluation.run(Protocol.fewNerd(file, 0), options(out, false)).get(0);
        var results = Json.readTree(out.resolve("results.json"));
        assertEquals((double) micro(r).get("f1"), results.path("micro").path("f1").asDouble());
        assertTrue(results.path("micro").path("f1").asDouble() > 0, "OpenNLP learns something");
        Tally again = Predictions.rescore(out.resolve("predictions.jsonl"));
        assertEquals(results.path("micro").path("f1").asDouble(), 100 * again.pooled().f1(), 0.01);
        assertEquals(
                results.path("micro").path("precision").asDouble(),
                100 * again.pooled().precision(),
                0.01);
        assertEquals(
                results.path("episodes").path("f1_mean").asDouble(),
                again.episodeF1().mean(),
                0.01);
        assertEquals(30, Files.readAllLines(out.resolve("predictions.jsonl")).size());
        assertEquals(6, results.path("tasks").asInt());
        assertTrue(Files.size(out.resolve("f1.png")) > 1000);
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("no Few-NERD train split"), report);
        // a second run into the same folder is refused
        var e =
                assertThrows(
                        FewNerException.class,
                        () -> Evaluation.run(Protocol.fewNerd(file, 0), options(out, false)));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }

    @Test
    void killedAndResumedRunEndsWithTheSameFigures() throws Exception {
        Path file = episodes(tmp.resolve("test_5_5.jsonl"), 7, 5);
        Path whole = tmp.resolve("whole");
        Map<String, Object> expected =
                Evaluation.run(Protocol.fewNerd(file, 0), options(whole, false)).get(0);

        Path killed = tmp.resolve("killed");
        Harness.afterCheckpoint =
                n -> {
                    if (n == 3) throw new IllegalStateException("simulated kill");
                };
        assertThrows(
                IllegalStateException.class,
                () -> Evaluation.run(Protocol.fewNerd(file, 0), options(killed, false)));
        Harness.afterCheckpoint = n -> {};
        // a kill in the middle of task 4 leaves half-written lines after the checkpoint
        Files.writeString(
                killed.resolve("predictions.jsonl"),
                "{\"episode\":3,\"sentence\":0,\"tok",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        Map<String, Object> resumed =
                Evaluation.run(Protocol.fewNerd(file, 0), options(killed, true)).get(0);
        assertEquals(micro(expected), micro(resumed));
        assertEquals(expected.get("per_type"), resumed.get("per_type"));
        assertEquals(expected.get("episodes"), resumed.get("episodes"));
        assertEquals(
                Files.readString(whole.resolve("predictions.jsonl")),
                Files.readString(killed.resolve("predictions.jsonl")));
    }

    @Test
    void aRunStoppedBeforeItsFirstCheckpointResumesFromTheStart() throws Exception {
        Path file = episodes(tmp.resolve("test_5_1.jsonl"), 3, 1);
        Path whole = tmp.resolve("whole1");
        Map<String, Object> expected =
                Evaluation.run(Protocol.fewNerd(file, 0), options(whole, false)).get(0);
        Path early = tmp.resolve("early");
        Files.createDirectories(early);
        Files.writeString(early.resolve("predictions.jsonl"), "{\"episode\":0,\"sent");
        Map<String, Object> resumed =
                Evaluation.run(Protocol.fewNerd(file, 0), options(early, true)).get(0);
        assertEquals(micro(expected), micro(resumed));
        assertEquals(
                Files.readString(whole.resolve("predictions.jsonl")),
                Files.readString(early.resolve("predictions.jsonl")));
        // a folder holding anything else is not taken for such a run
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.txt"), "mine");
        var e =
                assertThrows(
                        FewNerException.class,
                        () -> Evaluation.run(Protocol.fewNerd(file, 0), options(other, true)));
        assertTrue(e.getMessage().endsWith("no checkpoint to resume (run without --resume first)"));
    }

    @Test
    void resumeWithOtherOptionsOrWithoutCheckpointIsRefused() throws Exception {
        Path file = episodes(tmp.resolve("test_5_1.jsonl"), 2, 1);
        var none =
                assertThrows(
                        FewNerException.class,
                        () ->
                                Evaluation.run(
                                        Protocol.fewNerd(file, 0),
                                        options(tmp.resolve("x"), true)));
        assertTrue(
                none.getMessage().endsWith("no checkpoint to resume (run without --resume first)"));
        Path out = tmp.resolve("y");
        Evaluation.run(Protocol.fewNerd(file, 0), options(out, false));
        var other =
                assertThrows(
                        FewNerException.class,
                        () -> Evaluation.run(Protocol.fewNerd(file, 1), options(out, true)));
        assertTrue(other.getMessage().contains("another configuration"), other.getMessage());
    }

    @Test
    void eachTaskGetsItsOwnRecogniserAndSeed() throws Exception {
        Path file = episodes(tmp.resolve("test_5_1.jsonl"), 3, 2);
        List<Long> seeds = new ArrayList<>();
        FewShotMethod spy =
                new FewShotMethod() {
                    @Override
                    public String name() {
                        return "spy";
                    }

                    @Override
                    public Recognizer adapt(org.fewner.ner.SupportSet support, long seed) {
                        seeds.add(seed);
                        return sentences ->
                                sentences.stream()
                                        .map(s -> List.<org.fewner.ner.ScoredMention>of())
                                        .toList();
                    }

                    @Override
                    public void close() {}
                };
        Harness.run(
                Protocol.fewNerd(file, 0),
                List.of(new Harness.Variant("spy", spy, tmp.resolve("spy"), Map.of())),
                tmp.resolve("spy"),
                new Harness.Settings(10, false, false, Map.of(), Map.of(), "test"),
                Map::of);
        assertEquals(List.of(10L, 11L, 12L), seeds);
    }

    @Test
    void severalProtocolsInOneRunGiveTheFiguresOfSeparateRuns() throws Exception {
        Path a = episodes(tmp.resolve("a/test_5_1.jsonl"), 3, 21);
        Path b = episodes(tmp.resolve("b/test_5_5.jsonl"), 4, 22);
        Map<String, Object> ra =
                Evaluation.run(Protocol.fewNerd(a, 0), options(tmp.resolve("ra"), false)).get(0);
        Map<String, Object> rb =
                Evaluation.run(Protocol.fewNerd(b, 0), options(tmp.resolve("rb"), false)).get(0);
        Path both = tmp.resolve("both");
        // the first protocol is interrupted; on resume the second, not started yet, starts afresh
        Harness.afterCheckpoint =
                n -> {
                    if (n == 2) throw new IllegalStateException("simulated kill");
                };
        assertThrows(
                IllegalStateException.class,
                () ->
                        Evaluation.run(
                                List.of(Protocol.fewNerd(a, 0), Protocol.fewNerd(b, 0)),
                                List.of(both.resolve("a"), both.resolve("b")),
                                options(both, false)));
        Harness.afterCheckpoint = n -> {};
        List<Map<String, Object>> r =
                Evaluation.run(
                        List.of(Protocol.fewNerd(a, 0), Protocol.fewNerd(b, 0)),
                        List.of(both.resolve("a"), both.resolve("b")),
                        options(both, true));
        assertEquals(micro(ra), micro(r.get(0)));
        assertEquals(micro(rb), micro(r.get(1)));
    }
}
