package org.fewner.ner.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import org.fewner.llm.hub.DefaultModels;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import org.fewner.ner.EncodedSentence;
import org.fewner.ner.WordSentence;
import org.junit.jupiter.api.Test;

/** The encoder on the real BERT-base uncased (only with -Dfewner.heavyTests=true). */
class RealModelEncoderTest {
    @Test
    void firstWordPieceStatesMatchADirectForward() throws Exception {
        assumeTrue(
                Boolean.getBoolean("fewner.heavyTests"),
                "needs the 400 MB model: run with -Dfewner.heavyTests=true");
        assumeTrue(DefaultModels.isCached("default-uncased"), "default-uncased is not cached");
        try (Backbone bert =
                        Models.load(DefaultModels.resolve("default-uncased", false), Device.cpu());
                var enc =
                        new BackboneWordEncoder(
                                bert, BackboneWordEncoder.Options.of(List.of(9, 12)), false)) {
            List<String> words = List.of("Unbelievably", ",", "Zürich", "wins", ".");
            EncodedSentence e = enc.encode(List.of(new WordSentence("s", words))).get(0);
            long[] ids = bert.tokenizer().encode(String.join(" ", words), true).ids();
            // [CLS] un ##bel ##ie ##va ##bly , zurich wins . [SEP]: first pieces at 1, 6, 7, 8, 9
            assertEquals("zurich", bert.tokenizer().decode(new long[] {ids[7]}, true));
            try (NDManager m = bert.manager().newSubManager()) {
                long[][] mask = new long[1][ids.length];
                Arrays.fill(mask[0], 1);
                float[] h =
                        bert.forward(m, new long[][] {ids}, mask, null).hidden(9).toFloatArray();
                int[] first = {1, 6, 7, 8, 9};
                for (int w = 0; w < words.size(); w++) {
                    float[] ref = Arrays.copyOfRange(h, first[w] * 768, first[w] * 768 + 768);
                    assertArrayEquals(ref, e.first(9)[w], 1e-4f);
                }
            }
        }
    }
}
