package org.fewner.training.generative;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.generation.PromptTemplate;
import org.fewner.ner.Mention;
import org.fewner.training.data.TrainingExample;

/**
 * The second example builder on the training collector's output (the span method's is {@link
 * org.fewner.training.span.SpanBatch}): turns each collected sentence into one instruction per
 * entity type of its corpus, in the CLLMFS SFT format fixed by {@link PromptTemplate}.
 *
 * <p>The answer lists <em>every</em> entity of the type in sentence order (BANER's preprocessing
 * kept only the first, a known flaw), or the template's {@link PromptTemplate#none()} answer when
 * the sentence has none. The same {@code none} string is what {@link
 * org.fewner.llm.generation.AnswerParser} reads and what {@link
 * org.fewner.llm.generation.SpanConstraint} allows, so training and constrained decoding agree.
 */
public final class InstructionExamples {
    private InstructionExamples() {}

    /** The sentence text the prompt shows: the words joined by single spaces. */
    public static String text(List<String> words) {
        return String.join(" ", words);
    }

    /**
     * Builds the examples, sentence by sentence, each sentence's types in {@code types}' order.
     *
     * @param types the entity types asked for (for a training run: every type of the sources)
     * @param definitions type → one-sentence definition (may be empty; types without one get the
     *     bare instruction)
     */
    public static List<InstructionExample> build(
            List<TrainingExample> sentences,
            List<String> types,
            Map<String, String> definitions,
            PromptTemplate template) {
        List<InstructionExample> out = new ArrayList<>();
        for (TrainingExample s : sentences) {
            String text = text(s.words());
            for (String type : types) {
                List<int[]> spans = new ArrayList<>();
                List<String> pieces = new ArrayList<>();
                for (Mention m : s.mentions()) {
                    if (m.label().equals(type)) {
                        spans.add(new int[] {m.start(), m.end()});
                        pieces.add(String.join(" ", s.words().subList(m.start(), m.end())));
                    }
                }
                out.add(
                        new InstructionExample(
                                s.id(),
                                type,
                                template.render(type, definitions.get(type), text),
                                template.answer(pieces),
                                text,
                                spans,
                                pieces));
            }
        }
        return out;
    }

    /** Every entity type of the sentences, sorted. */
    public static List<String> types(List<TrainingExample> sentences) {
        TreeSet<String> t = new TreeSet<>();
        for (TrainingExample s : sentences) {
            for (Mention m : s.mentions()) {
                t.add(m.label());
            }
        }
        return List.copyOf(t);
    }

    /**
     * Reads a label-description file: one {@code TYPE<TAB>definition} per line ({@code #} starts a
     * comment line, blank lines are skipped). The definition is the phrase CLLMFS's template puts
     * after "refers to the entity that represents", e.g. {@code LOC<TAB>a place such as a country,
     * city or river}.
     */
    public static Map<String, String> readDefinitions(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int tab = l.indexOf('\t');
            if (tab <= 0 || l.substring(tab + 1).isBlank()) {
                throw new FewNerException(
                        file
                                + ":"
                                + (i + 1)
                                + ": expected TYPE<TAB>definition, got "
                                + FewNerException.quote(l));
            }
            String type = l.substring(0, tab).strip();
            if (out.put(type, l.substring(tab + 1).strip()) != null) {
                throw new FewNerException(
                        file
                                + ":"
                                + (i + 1)
                                + ": type "
                                + FewNerException.quote(type)
                                + " defined twice");
            }
        }
        return out;
    }

    /**
     * Writes the examples as JSON lines ({@code prompt}, {@code answer}, {@code id}, {@code type},
     * {@code text}, {@code spans}), atomically.
     */
    public static void write(Path out, List<InstructionExample> examples) {
        StringBuilder b = new StringBuilder();
        for (InstructionExample e : examples) {
            var o = Json.MAPPER.createObjectNode();
            o.put("prompt", e.prompt());
            o.put("answer", e.answer());
            o.put("id", e.id());
            o.put("type", e.type());
            o.put("text", e.text());
            var a = o.putArray("spans");
            for (int[] s : e.spans()) {
                a.addArray().add(s[0]).add(s[1]);
            }
            b.append(Json.line(o)).append('\n');
        }
        AtomicFiles.writeString(out, b.toString());
    }
}
