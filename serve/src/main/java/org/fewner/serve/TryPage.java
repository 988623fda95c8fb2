package org.fewner.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * Curie](PER) visited [Paris](LOC) .}, a support set that the request carries to the engine in its
 * support view, as a recommender's; without examples the server's {@code --support} file answers;
 * {@code types} (comma-separated) keeps only those labels.
 */
public final class TryPage {
    private static final Pattern MARK = Pattern.compile("\\[([^\\[\\]]+)\\]\\(([^()]+)\\)");

    private final Recommenders recommenders;
    private final Segmenter segmenter;
    private final String html;

    public TryPage(Recommenders recommenders, Segmenter segmenter) {
        this.recommenders = recommenders;
        this.segmenter = segmenter;
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
        Recommenders.Snapshot snap =
                examples.isBlank()
                        ? recommenders.snapshot(new RecommenderKey(-1, "", ""))
                        : support(examples);
        if (!snap.predicts()) {
            throw HttpError.badRequest(
                    "examples",
                    "give labelled examples such as [Marie Curie](PER) visited [Paris](LOC) ."
                            + " (this server has no --support file)");
        }
        List<Prediction> predictions =
                seg == null
                        ? List.of()
                        : recommenders
                                .predict(snap, text, seg.sentences(), seg.tokens())
                                .predictions();
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

    /**
     * The examples as a support set: the engine adapts to it once (its recognisers are cached by
     * the support set's content), then every request with the same examples reuses it.
     */
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
        return Recommenders.Snapshot.of(1, Map.of("page", new SupportDocument("page", sentences)));
    }
}
