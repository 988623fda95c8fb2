package org.fewner.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;

/**
 * The page at {@code /} (try FewNER without INCEpTION) and its API, {@code POST /api/annotate}
 * {@code {"text", "examples", "types"}}: examples are lines with inline labels, {@code [Marie
 * Curie](PER) visited [Paris](LOC) .}; without examples the server's {@code --support} file
 * answers; {@code types} (comma-separated) keeps only those labels.
 */
public final class TryPage {
    private static final Pattern MARK = Pattern.compile("\\[([^\\[\\]]+)\\]\\(([^()]+)\\)");
    private static final int CACHED = 4;

    private final ServeConfig config;
    private final Recommenders recommenders;
    private final Segmenter segmenter;
    private final Path dir;
    private final String html;
    private final Map<String, Recommenders.Snapshot> cache =
            new LinkedHashMap<>(CACHED, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Recommenders.Snapshot> e) {
                    if (size() > CACHED) {
                        e.getValue().engines().retire();
                        return true;
                    }
                    return false;
                }
            };

    public TryPage(ServeConfig config, Recommenders recommenders, Segmenter segmenter, Path dir) {
        this.config = config;
        this.recommenders = recommenders;
        this.segmenter = segmenter;
        this.dir = dir;
        try (InputStream in = TryPage.class.getResourceAsStream("page.html")) {
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("page.html is missing from the jar", e);
        }
    }

    public String html() {
        return html;
    }

    /** Answers {@code /api/annotate}. */
    public String annotate(byte[] body) {
        JsonNode root = Protocol.parse(body);
        String text = Protocol.string(root, "text", "text");
        JsonNode ex = root.get("examples");
        String examples = ex == null || ex.isNull() ? "" : ex.asText();
        JsonNode ty = root.get("types");
        Set<String> types = new LinkedHashSet<>();
        if (ty != null && !ty.isNull()) {
            for (String t : ty.asText().split(",")) {
                if (!t.isBlank()) {
                    types.add(t.strip());
                }
            }
        }
        Segmenter.Segments seg = text.isBlank() ? null : segmenter.segment(text);
        Recommenders.Snapshot snap;
        List<Prediction> predictions;
        for (int attempt = 0; ; attempt++) {
            snap =
                    examples.isBlank()
                            ? recommenders.snapshot(new RecommenderKey(-1, "", ""))
                            : support(examples);
            if (snap.engines() == null) {
                throw HttpError.badRequest(
                        "examples",
                        "give labelled examples such as [Marie Curie](PER) visited [Paris](LOC) ."
                                + " (this server has no --support file)");
            }
            try {
                predictions =
                        seg == null
                                ? List.of()
                                : snap.engines().predict(text, seg.sentences(), seg.tokens());
                break;
            } catch (EnginePool.RetiredException e) {
                if (attempt > 100) {
                    throw new IllegalStateException("the examples' engine kept being replaced", e);
                }
            }
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("text", text);
        ArrayNode ents = out.putArray("entities");
        for (Prediction p : predictions) {
            if (!types.isEmpty() && !types.contains(p.label())) {
                continue;
            }
            String covered = text.substring(p.begin(), p.end());
            ObjectNode e = ents.addObject();
            e.put("begin", p.begin());
            e.put("end", p.end());
            e.put("label", p.label());
            e.put("score", p.score());
            e.put("text", covered);
            e.put("explanation", snap.explainer().explain(p.label(), covered, p.score()));
        }
        return Json.line(out);
    }

    /** The engine for the examples (cached by their support file's text). */
    private Recommenders.Snapshot support(String examples) {
        List<SupportSentence> sentences = new ArrayList<>();
        int lineNo = 0;
        for (String line : examples.split("\\R")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            StringBuilder plain = new StringBuilder();
            List<int[]> spans = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            Matcher m = MARK.matcher(line);
            int last = 0;
            while (m.find()) {
                plain.append(line, last, m.start());
                int b = plain.length();
                plain.append(m.group(1));
                spans.add(new int[] {b, plain.length()});
                labels.add(m.group(2).strip());
                last = m.end();
            }
            plain.append(line.substring(last));
            if (spans.isEmpty()) {
                throw HttpError.badRequest(
                        "examples",
                        "line "
                                + lineNo
                                + " has no [text](LABEL) mention: "
                                + FewNerException.quote(line));
            }
            String s = plain.toString();
            Segmenter.Segments seg = segmenter.segment(s);
            List<String> words = new ArrayList<>();
            for (int[] t : seg.tokens()) {
                words.add(s.substring(t[0], t[1]));
            }
            List<SupportSentence.Mention> ms = new ArrayList<>();
            int lastEnd = 0;
            for (int i = 0; i < spans.size(); i++) {
                int start = -1;
                int end = -1;
                for (int k = 0; k < seg.tokens().size(); k++) {
                    int[] t = seg.tokens().get(k);
                    if (t[1] > spans.get(i)[0] && t[0] < spans.get(i)[1]) {
                        if (start < 0) {
                            start = k;
                        }
                        end = k + 1;
                    }
                }
                if (start >= lastEnd) {
                    ms.add(new SupportSentence.Mention(start, end, labels.get(i)));
                    lastEnd = end;
                }
            }
            sentences.add(new SupportSentence(words, ms));
        }
        SupportDocument doc = new SupportDocument("page", sentences);
        String text = SupportFile.format(List.of(doc));
        String key = TypeSystems.sha256(text);
        synchronized (cache) {
            Recommenders.Snapshot snap = cache.get(key);
            if (snap != null) {
                return snap;
            }
            try {
                Files.createDirectories(dir);
                Path file = dir.resolve(key.substring(0, 16) + ".conll");
                Files.writeString(file, text);
                snap =
                        new Recommenders.Snapshot(
                                1,
                                Map.of("page", doc),
                                new EnginePool(config, file, "conll"),
                                new Explainer(List.of(doc)));
            } catch (IOException e) {
                throw new FewNerException(dir + ": cannot write the examples: " + e, e);
            }
            cache.put(key, snap);
            return snap;
        }
    }

    public void close() {
        synchronized (cache) {
            cache.values().forEach(s -> s.engines().retire());
            cache.clear();
        }
    }
}
