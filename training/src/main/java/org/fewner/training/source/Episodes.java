package org.fewner.training.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;

/**
 * Few-NERD episodes (IO labels; entities are maximal runs of one label) as support sets and
 * labelled queries: for the span method's development loop, the target-overlap check and the
 * training command. The evaluation harness has its own reader; this one only needs the first N
 * episodes.
 */
public final class Episodes {
    private Episodes() {}

    /** One episode. */
    public record Episode(int index, SupportSet support, List<LabeledSentence> query) {}

    /** Reads the first {@code max} episodes (all when {@code max <= 0}). */
    public static List<Episode> read(Path file, int max) {
        List<Episode> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
                InputStream in =
                        file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null && (max <= 0 || out.size() < max)) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode e = Json.parseLine(file, n, line);
                List<String> types = new ArrayList<>();
                for (JsonNode t : e.path("types")) {
                    types.add(t.asText());
                }
                int idx = out.size();
                List<LabeledSentence> support = part(file, n, e.path("support"), "e" + idx + ".s");
                List<LabeledSentence> query = part(file, n, e.path("query"), "e" + idx + ".q");
                out.add(new Episode(idx, new SupportSet(types, support), query));
            }
        } catch (IOException ex) {
            throw new FewNerException(file + ": cannot read episodes: " + ex.getMessage(), ex);
        }
        return out;
    }

    private static List<LabeledSentence> part(Path file, long line, JsonNode p, String prefix) {
        JsonNode words = p.path("word");
        JsonNode labels = p.path("label");
        if (!words.isArray() || !labels.isArray() || words.size() != labels.size()) {
            throw new FewNerException(
                    file + ":" + line + ": expected an episode with parallel word/label lists");
        }
        List<LabeledSentence> out = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            List<String> w = new ArrayList<>();
            List<String> l = new ArrayList<>();
            words.get(i).forEach(x -> w.add(x.asText()));
            labels.get(i).forEach(x -> l.add(x.asText()));
            out.add(new LabeledSentence(new WordSentence(prefix + i, w), ioChunks(l)));
        }
        return out;
    }

    /** IO chunks: maximal runs of one non-O label. */
    public static List<Mention> ioChunks(List<String> labels) {
        List<Mention> out = new ArrayList<>();
        int i = 0;
        while (i < labels.size()) {
            String l = labels.get(i);
            if (l.equals("O")) {
                i++;
                continue;
            }
            int j = i + 1;
            while (j < labels.size() && labels.get(j).equals(l)) {
                j++;
            }
            out.add(new Mention(i, j, l));
            i = j;
        }
        return out;
    }
}
