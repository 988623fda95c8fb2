package org.fewner.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.fewner.common.Json;
import org.fewner.training.span.SpanTrainingConfig;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs example 2 (an adapter trained from a CoNLL-2003 file) on a tiny random BERT. */
class TrainSpanAdapterTest {
    @TempDir Path tmp;

    @Test
    void trainsAnAdapterFromACoNllFile() throws Exception {
        Path model = TinyModels.bert(tmp.resolve("tiny"), 16, 64, 4);
        Path conll = tmp.resolve("train.conll");
        Random r = new Random(3);
        String[][] names = {{"John", "PER"}, {"Paris", "LOC"}, {"Acme", "ORG"}, {"Berlin", "LOC"}};
        StringBuilder sb = new StringBuilder("-DOCSTART- -X- -X- O\n\n");
        for (int s = 0; s < 30; s++) {
            String[] a = names[r.nextInt(names.length)];
            String[] b = names[r.nextInt(names.length)];
            sb.append(a[0]).append(" NNP B-NP B-").append(a[1]).append('\n');
            sb.append("met NN I-NP O\n");
            sb.append(b[0]).append(" NNP B-NP B-").append(b[1]).append('\n');
            sb.append(". . O O\n\n");
        }
        Files.writeString(conll, sb);
        ObjectNode c = Json.MAPPER.valueToTree(SpanTrainingConfig.defaults());
        c.put("detectLayer", 2)
                .put("typeLayer", 1)
                .put("maxWidth", 2)
                .put("detectDim", 4)
                .put("typeDim", 4)
                .put("ways", 3)
                .put("shots", 1)
                .put("queryShots", 1)
                .put("extraSentences", 2)
                .put("maxSteps", 3)
                .put("warmup", 1)
                .put("checkpointSteps", 2);
        Path out = tmp.resolve("adapter");
        JsonNode record =
                TrainSpanAdapter.train(
                        model, conll, out, Json.MAPPER.treeToValue(c, SpanTrainingConfig.class));
        for (String f :
                new String[] {
                    "adapter_config.json", "adapter_model.safetensors", "training.json"
                }) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(
                "LORA",
                Json.readTree(out.resolve("adapter_config.json")).path("peft_type").asText());
        assertTrue(record.toString().contains(conll.getFileName().toString()), record.toString());
    }
}
