package org.fewner.uimaannotator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Methods on the shared model come from the one registry, with the engine's adapters. */
class SharedModelTest {
    @TempDir Path tmp;

    @Test
    void frozenPrototypeReadsTheResidentAdapter() throws Exception {
        Path dir = TinyModels.bert(tmp.resolve("tiny"), 16, 32, 4);
        Path adapter = TinyModels.adapter(dir, tmp.resolve("adapter"), 5);
        Path file = tmp.resolve("support.conll");
        Files.writeString(file, ConcurrencyTest.SUPPORT);
        SharedModel model = SharedModel.acquire(dir.toString());
        try {
            model.loadAdapter("a", adapter);
            SupportSet support = SupportFiles.read(file, "conll", List.of());
            List<WordSentence> query =
                    List.of(new WordSentence("q", List.of("john", "curie", "visited", "london")));
            Map<String, String> options = Map.of("layer", "2");
            List<List<ScoredMention>> base =
                    model.recognizer("frozen-prototype", null, options, support, 1)
                            .recognize(query);
            List<List<ScoredMention>> adapted =
                    model.recognizer("frozen-prototype", "a", options, support, 1).recognize(query);
            assertFalse(base.get(0).isEmpty() && adapted.get(0).isEmpty(), "nothing found");
            assertNotEquals(base, adapted, "the adapter changes the word vectors");
            assertTrue(model.forwardSeconds() > 0, "frozen-prototype reports its forward time");
        } finally {
            model.release();
        }
    }
}
