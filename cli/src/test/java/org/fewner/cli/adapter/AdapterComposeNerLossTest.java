package org.fewner.cli.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.fewner.common.Json;
import org.fewner.llm.decoder.RandomModelWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code adapter compose} on a decoder with the NER task loss: weights recorded, an unknown label
 * in the support file is an error naming file and line.
 */
class AdapterComposeNerLossTest {
    static final String TRAIN =
            "Anna NNP O B-PER\nvisited VBD O O\nParis NNP O B-LOC\n. . O O\n\n"
                    + "Bob NNP O B-PER\nleft VBD O O\nRome NNP O B-LOC\n. . O O\n";

    @Test
    void composesWithTheNerLossAndNamesAnUnknownLabel(@TempDir Path tmp) throws Exception {
        Path tok =
                Path.of(
                        System.getProperty("fewner.shared", "../../shared"),
                        "models",
                        "smollm2-135m-tokenizer");
        Assumptions.assumeTrue(
                Files.isRegularFile(tok.resolve("tokenizer.json")),
                "needs ../shared/models/smollm2-135m-tokenizer");
        ObjectNode c = (ObjectNode) Json.readTree(tok.resolve("config.json"));
        c.put("hidden_size", 32)
                .put("num_hidden_layers", 1)
                .put("num_attention_heads", 4)
                .put("num_key_value_heads", 2)
                .put("intermediate_size", 48)
                .put("max_position_embeddings", 256)
                .put("initializer_range", 0.15);
        Path m = tmp.resolve("m");
        Files.createDirectories(m);
        RandomModelWriter.write(c, 1, false, m, tok.resolve("tokenizer.json"));
        Path train = tmp.resolve("train.txt");
        Files.writeString(train, TRAIN);
        for (int i = 0; i < 2; i++) {
            AdapterCommandsTest.Run r =
                    AdapterCommandsTest.run(
                            "train",
                            "--method",
                            "generative",
                            "--model",
                            m.toString(),
                            "--source",
                            "conll2003:" + train,
                            "--out",
                            tmp.resolve("a" + i).toString(),
                            "--max-steps",
                            "2",
                            "--batch-size",
                            "2",
                            "--adv",
                            "none",
                            "--seed",
                            String.valueOf(i + 1));
            assertEquals(0, r.code(), r.err());
            // the recorded command is the command line as typed, "train" once
            String command =
                    org.fewner.common.Json.MAPPER
                            .readTree(tmp.resolve("a" + i).resolve("training.json").toFile())
                            .path("command")
                            .asText();
            assertTrue(command.startsWith("fewner train --method generative "), command);
        }
        Path support = tmp.resolve("support.txt");
        Files.writeString(support, TRAIN);
        String adapters = tmp.resolve("a0") + "," + tmp.resolve("a1");
        AdapterCommandsTest.Run r =
                AdapterCommandsTest.run(
                        "adapter",
                        "compose",
                        "--model",
                        m.toString(),
                        "--adapters",
                        adapters,
                        "--support",
                        support.toString(),
                        "--format",
                        "conll2003",
                        "--budget",
                        "4",
                        "--out",
                        tmp.resolve("hub").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode o = Json.MAPPER.readTree(r.out().strip());
        assertEquals(2, o.get("weights").size());
        assertTrue(o.get("task_loss_kind").asText().startsWith("NER loss"), r.out());
        JsonNode hub =
                Json.readTree(tmp.resolve("hub").resolve("adapter_config.json"))
                        .get("fewner_lorahub");
        assertEquals(2, hub.get("weights").size());
        assertEquals("answer-ce", hub.get("loss").asText());
        // the span-F1 loss, recorded as such
        r =
                AdapterCommandsTest.run(
                        "adapter",
                        "compose",
                        "--model",
                        m.toString(),
                        "--adapters",
                        adapters,
                        "--support",
                        support.toString(),
                        "--format",
                        "conll2003",
                        "--budget",
                        "4",
                        "--loss",
                        "span-f1",
                        "--out",
                        tmp.resolve("hub-f1").toString());
        assertEquals(0, r.code(), r.err());
        o = Json.MAPPER.readTree(r.out().strip());
        assertEquals("span-f1", o.get("loss").asText());
        assertTrue(o.get("task_loss_kind").asText().contains("1 - span F1"), r.out());
        double f1Loss = o.get("task_loss").asDouble();
        assertTrue(f1Loss >= 0 && f1Loss <= 1, r.out());
        hub =
                Json.readTree(tmp.resolve("hub-f1").resolve("adapter_config.json"))
                        .get("fewner_lorahub");
        assertEquals("span-f1", hub.get("loss").asText());
        assertEquals(f1Loss, hub.get("task_loss").asDouble(), 1e-12);
        // line 8 carries a label the adapters never saw
        Files.writeString(support, TRAIN.replace("Rome NNP O B-LOC", "Rome NNP O B-MISC"));
        r =
                AdapterCommandsTest.run(
                        "adapter",
                        "compose",
                        "--model",
                        m.toString(),
                        "--adapters",
                        adapters,
                        "--support",
                        support.toString(),
                        "--format",
                        "conll2003",
                        "--budget",
                        "4",
                        "--out",
                        tmp.resolve("hub2").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(support + ":8: label 'MISC' is not among the types"), r.err());
    }
}
