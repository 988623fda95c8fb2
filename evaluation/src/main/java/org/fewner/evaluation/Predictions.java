package org.fewner.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;

/**
 * The {@code predictions.jsonl} format: one JSON object per query sentence,
 *
 * <pre>{"episode": 0, "sentence": 3, "tokens": ["Ann", "lives", "in", "Rome"],
 *  "gold": [[0, 1, "PER"], [3, 4, "LOC"]], "pred": [[3, 4, "LOC"]], "confidence": [0.98]}</pre>
 *
 * where {@code gold} and {@code pred} are lists of {@code [start_token, end_token_exclusive,
 * label]}, {@code episode} numbers the episode (Few-NERD), support sample (cross-dataset) or run
 * (K-shot), {@code sentence} the query sentence within it, and {@code confidence} (optional) runs
 * parallel to {@code pred}. Re-scoring such a file ({@link #rescore}) reproduces a run's figures.
 */
public final class Predictions {
    private Predictions() {}

    /** One line. */
    public record Line(
            int episode,
            int sentence,
            List<String> tokens,
            List<Mention> gold,
            List<Mention> pred,
            List<Double> confidence) {}

    /** The JSON text of one line (no newline). */
    public static String toJson(
            int episode,
            int sentence,
            List<String> tokens,
            List<Mention> gold,
            List<ScoredMention> pred) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("episode", episode);
        m.put("sentence", sentence);
        m.put("tokens", tokens);
        m.put("gold", spans(gold));
        List<Mention> p = new ArrayList<>();
        List<Double> c = new ArrayList<>();
        for (ScoredMention s : pred) {
            p.add(s.mention());
            c.add(Tally.round(s.confidence()));
        }
        m.put("pred", spans(p));
        m.put("confidence", c);
        return Json.line(m);
    }

    private static List<List<Object>> spans(List<Mention> mentions) {
        List<List<Object>> out = new ArrayList<>();
        for (Mention x : mentions) out.add(List.of(x.start(), x.end(), x.label()));
        return out;
    }

    /** Reads every line of {@code file}; a malformed line is a one-line error naming it. */
    public static List<Line> read(Path file) {
        List<Line> out = new ArrayList<>();
        forEach(file, out::add);
        return out;
    }

    /** Streams the lines of {@code file}. */
    public static void forEach(Path file, java.util.function.Consumer<Line> sink) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            long n = 0;
            while ((text = r.readLine()) != null) {
                n++;
                if (text.isBlank()) continue;
                sink.accept(parse(file, n, text));
            }
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    static Line parse(Path file, long n, String text) {
        JsonNode o = Json.parseLine(file, n, text);
        if (!o.isObject()) {
            throw FewNerException.at(file, n, "expected a JSON object per line");
        }
        int episode = integer(file, n, o, "episode");
        int sentence = integer(file, n, o, "sentence");
        JsonNode tok = o.get("tokens");
        if (tok == null || !tok.isArray()) {
            throw FewNerException.at(file, n, "\"tokens\" missing or not a list of strings");
        }
        List<String> tokens = new ArrayList<>();
        for (JsonNode t : tok) tokens.add(t.asText());
        List<Mention> gold = mentions(file, n, o, "gold", tokens.size());
        List<Mention> pred = mentions(file, n, o, "pred", tokens.size());
        List<Double> conf = new ArrayList<>();
        JsonNode c = o.get("confidence");
        if (c != null && c.isArray()) for (JsonNode v : c) conf.add(v.asDouble());
        return new Line(episode, sentence, tokens, gold, pred, conf);
    }

    private static int integer(Path file, long n, JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw FewNerException.at(file, n, "\"" + field + "\" missing or not an integer");
        }
        return v.intValue();
    }

    private static List<Mention> mentions(Path file, long n, JsonNode o, String field, int size) {
        JsonNode list = o.get(field);
        if (list == null || !list.isArray()) {
            throw FewNerException.at(
                    file, n, "\"" + field + "\" missing (expected [[start, end, label], ...])");
        }
        List<Mention> out = new ArrayList<>();
        for (JsonNode s : list) {
            if (!s.isArray()
                    || s.size() != 3
                    || !s.get(0).isIntegralNumber()
                    || !s.get(1).isIntegralNumber()
                    || !s.get(2).isTextual()) {
                throw FewNerException.at(
                        file,
                        n,
                        "\""
                                + field
                                + "\" holds "
                                + FewNerException.quote(s.toString())
                                + " (expected [start, end_exclusive, label])");
            }
            int start = s.get(0).intValue();
            int end = s.get(1).intValue();
            if (start < 0 || end <= start || end > size) {
                throw FewNerException.at(
                        file,
                        n,
                        "\""
                                + field
                                + "\" span ["
                                + start
                                + ", "
                                + end
                                + ") is empty or outside the "
                                + size
                                + " tokens");
            }
            out.add(new Mention(start, end, s.get(2).textValue()));
        }
        return out;
    }

    /** Re-scores a predictions file: the {@link Tally} of all its lines. */
    public static Tally rescore(Path file) {
        org.fewner.common.InputFiles.requireFile(file);
        Tally t = new Tally();
        java.util.Map<Long, Long> seen = new java.util.HashMap<>();
        long[] lineNo = {0};
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = r.readLine()) != null) {
                long n = ++lineNo[0];
                if (text.isBlank()) continue;
                Line l = parse(file, n, text);
                long key = ((long) l.episode() << 32) | (l.sentence() & 0xffffffffL);
                Long first = seen.putIfAbsent(key, n);
                if (first != null) {
                    throw FewNerException.at(
                            file,
                            n,
                            "episode "
                                    + l.episode()
                                    + " sentence "
                                    + l.sentence()
                                    + " is already at line "
                                    + first
                                    + " (a duplicated line: did two runs write this file?)");
                }
                t.add(Integer.toString(l.episode()), l.gold(), l.pred());
            }
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (seen.isEmpty()) {
            throw new FewNerException(
                    file
                            + ": no predictions (an empty file; expected one JSON line per query sentence)");
        }
        return t;
    }
}
