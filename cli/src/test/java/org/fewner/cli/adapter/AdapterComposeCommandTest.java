package org.fewner.cli.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fewner.llm.lora.LoraAdapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code adapter compose} end to end on a random BERT with a small WordPiece vocab (placeholder
 * masked-LM loss).
 */
class AdapterComposeCommandTest {
    static final String[] WORDS = {
        "the",
        "a",
        "in",
        "of",
        "to",
        "and",
        "john",
        "smith",
        "lives",
        "london",
        "paris",
        "works",
        "at",
        "google",
        "acme",
        "corp",
        "visited",
        "berlin",
        "mary",
        "jones",
        "met",
        "with",
        "yesterday",
        "."
    };

    @Test
    void composesThreeAdaptersOnASupportFile(@TempDir Path tmp) throws Exception {
        Path m = AdapterInspectReferenceTest.model(tmp.resolve("bert"), "bert-base-cased.json");
        List<String> vocab = new ArrayList<>(List.of("[PAD]"));
        for (int i = 1; i < 100; i++) {
            vocab.add("[unused" + i + "]");
        }
        vocab.addAll(List.of("[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(List.of(WORDS));
        while (vocab.size() < 200) {
            vocab.add("w" + vocab.size());
        }
        Files.write(m.resolve("vocab.txt"), vocab);
        Files.writeString(m.resolve("tokenizer_config.json"), "{\"do_lower_case\": true}");
        Path support = tmp.resolve("support.tsv");
        Files.writeString(
                support,
                "John\tB-PER\nSmith\tI-PER\nlives\tO\nin\tO\nLondon\tB-LOC\n.\tO\n\n"
                        + "Mary\tB-PER\nmet\tO\nJohn\tB-PER\nin\tO\nParis\tB-LOC\nyesterday\tO\n.\tO\n\n"
                        + "Smith\tB-PER\nworks\tO\nat\tO\nAcme\tB-ORG\nCorp\tI-ORG\n.\tO\n");
        List<String> dirs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path a = tmp.resolve("a" + i);
            AdapterCommandsTest.Run r =
                    AdapterCommandsTest.run(
                            "adapter",
                            "init",
                            "--model",
                            m.toString(),
                            "--rank",
                            "2",
                            "--alpha",
                            "4",
                            "--targets",
                            "query,value",
                            "--seed",
                            String.valueOf(10 + i),
                            "--init",
                            "random",
                            "--b-std",
                            "0.3",
                            "--out",
                            a.toString());
            assertEquals(0, r.code(), r.err());
            dirs.add(a.toString());
        }
        Path out = tmp.resolve("hub");
        AdapterCommandsTest.Run r =
                AdapterCommandsTest.run(
                        "adapter",
                        "compose",
                        "--model",
                        m.toString(),
                        "--adapters",
                        String.join(",", dirs),
                        "--support",
                        support.toString(),
                        "--format",
                        "conll",
                        "--budget",
                        "30",
                        "--out",
                        out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = AdapterJson.JSON.readTree(r.out());
        System.out.println("adapter compose: " + j);
        assertEquals(3, j.get("weights").size());
        assertEquals(3, j.get("support_sentences").asInt());
        assertEquals("{\"LOC\":2,\"ORG\":1,\"PER\":4}", j.get("support_types").toString());
        assertTrue(
                j.get("evaluations").asInt() <= 30 && j.get("evaluations").asInt() > 5,
                j.toString());
        double mean = 0;
        for (JsonNode w : j.get("weights")) {
            assertTrue(Math.abs(w.asDouble()) <= 1.5);
            mean += Math.abs(w.asDouble()) / 3;
        }
        assertTrue(
                j.get("objective").asDouble() <= j.get("start_loss").asDouble(),
                "w = 0 is evaluated, so the best is no worse");
        assertEquals(
                j.get("task_loss").asDouble() + 0.05 * mean, j.get("objective").asDouble(), 1e-9);
        LoraAdapter composed = LoraAdapter.read(out);
        assertEquals(4, composed.modules().size());
        assertTrue(composed.config().extra().get("fewner_lorahub").get("sources").size() == 3);

        AdapterCommandsTest.Run bad =
                AdapterCommandsTest.run(
                        "adapter",
                        "compose",
                        "--model",
                        m.toString(),
                        "--adapters",
                        String.join(",", dirs),
                        "--support",
                        support.toString(),
                        "--format",
                        "xml",
                        "--out",
                        tmp.resolve("hub-bad").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--format: expected conll2003 or conll"), bad.err());

        // a malformed tag in the support file is an error naming file and line, before any work
        Path badSupport = tmp.resolve("bad-support.tsv");
        Files.writeString(badSupport, "John\tB-PER\nSmith\tX-PER\n");
        org.fewner.cli.CliRun.run(
                        "adapter",
                        "compose",
                        "--model",
                        m.toString(),
                        "--adapters",
                        String.join(",", dirs),
                        "--support",
                        badSupport.toString(),
                        "--format",
                        "conll",
                        "--out",
                        tmp.resolve("never").toString())
                .assertUserError(badSupport + ":2:", "'X-PER'");
        assertTrue(!Files.exists(tmp.resolve("never")));

        // --loss: an unknown value is a one-line error naming the option, before any work
        org.fewner.cli.CliRun.run(
                        "adapter",
                        "compose",
                        "--model",
                        m.toString(),
                        "--adapters",
                        String.join(",", dirs),
                        "--support",
                        support.toString(),
                        "--format",
                        "conll",
                        "--loss",
                        "f1",
                        "--out",
                        tmp.resolve("never").toString())
                .assertUserError("--loss: expected answer-ce or span-f1, got 'f1'");
        // the NER losses need a decoder: asking for one on BERT is refused
        org.fewner.cli.CliRun.run(
                        "adapter",
                        "compose",
                        "--model",
                        m.toString(),
                        "--adapters",
                        String.join(",", dirs),
                        "--support",
                        support.toString(),
                        "--format",
                        "conll",
                        "--loss",
                        "span-f1",
                        "--out",
                        tmp.resolve("never").toString())
                .assertUserError("--loss span-f1: the NER losses need a decoder LLM");
        assertTrue(!Files.exists(tmp.resolve("never")));
    }
}
