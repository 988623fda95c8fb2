package org.fewner.training.generative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.generation.AnswerParser;
import org.fewner.llm.generation.PromptTemplate;
import org.fewner.llm.generation.Span;
import org.fewner.llm.generation.Words;
import org.fewner.ner.Mention;
import org.fewner.training.data.TrainingExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstructionExamplesTest {
    @TempDir Path tmp;

    static final TrainingExample S =
            new TrainingExample(
                    "doc#0",
                    "c",
                    List.of("Anna", "met", "Bob", "Smith", "in", "Paris", "."),
                    List.of(
                            new Mention(0, 1, "PER"),
                            new Mention(2, 4, "PER"),
                            new Mention(5, 6, "LOC")));

    @Test
    void everyEntityOfTheTypeInOrderAndTheNoneAnswer() {
        List<InstructionExample> ex =
                InstructionExamples.build(
                        List.of(S),
                        List.of("PER", "LOC", "ORG"),
                        Map.of("LOC", "a place"),
                        PromptTemplate.DEFAULT);
        assertEquals(3, ex.size());
        assertEquals(" <<< Anna >>> <<< Bob Smith >>>", ex.get(0).answer());
        assertEquals(" <<< Paris >>>", ex.get(1).answer());
        assertEquals(" none", ex.get(2).answer());
        assertEquals(PromptTemplate.DEFAULT.none(), ex.get(2).answer());
        assertTrue(
                ex.get(1)
                        .prompt()
                        .contains("The entity of LOC refers to the entity that represents a place"),
                ex.get(1).prompt());
        assertTrue(ex.get(0).prompt().endsWith(PromptTemplate.DEFAULT.answerPrefix()));
        assertTrue(ex.get(0).prompt().contains("Anna met Bob Smith in Paris ."));
        // the answer parser reads the same answers back to the same word spans
        String text = ex.get(0).text();
        List<Span> spans =
                AnswerParser.parse(
                        ex.get(0).answer(), text, Words.split(text), PromptTemplate.DEFAULT);
        assertEquals(2, spans.size());
        assertEquals(2, spans.get(1).firstWord());
        assertEquals(3, spans.get(1).lastWord());
        assertEquals(
                List.of(),
                AnswerParser.parse(" none", text, Words.split(text), PromptTemplate.DEFAULT));
    }

    @Test
    void exportLoadsAsJsonLines() throws Exception {
        Path out = tmp.resolve("sft.jsonl");
        InstructionExamples.write(
                out,
                InstructionExamples.build(
                        List.of(S), List.of("LOC", "PER"), Map.of(), PromptTemplate.DEFAULT));
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        for (String l : lines) {
            JsonNode n = Json.MAPPER.readTree(l);
            for (String f : List.of("prompt", "answer", "id", "type")) {
                assertTrue(n.hasNonNull(f), f + " in " + l);
            }
        }
        JsonNode per = Json.MAPPER.readTree(lines.get(1));
        assertEquals("PER", per.get("type").asText());
        assertEquals("doc#0", per.get("id").asText());
        assertEquals(2, per.get("spans").get(1).get(0).asInt());
        assertEquals(4, per.get("spans").get(1).get(1).asInt());
    }

    @Test
    void badDefinitionLineNamesFileAndLine() throws Exception {
        Path f = tmp.resolve("defs.tsv");
        Files.writeString(f, "# comment\nLOC\ta place\nPER no tab here\n");
        FewNerException e =
                assertThrows(FewNerException.class, () -> InstructionExamples.readDefinitions(f));
        assertTrue(
                e.getMessage().startsWith(f + ":3: expected TYPE<TAB>definition"), e.getMessage());
        Files.writeString(f, "LOC\ta place\nLOC\tanother\n");
        e = assertThrows(FewNerException.class, () -> InstructionExamples.readDefinitions(f));
        assertTrue(e.getMessage().startsWith(f + ":2: type 'LOC' defined twice"), e.getMessage());
        Files.writeString(f, "LOC\ta place\n\nPER\ta person\n");
        assertEquals(
                Map.of("LOC", "a place", "PER", "a person"),
                InstructionExamples.readDefinitions(f));
    }
}
