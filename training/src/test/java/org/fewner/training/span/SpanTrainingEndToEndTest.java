package org.fewner.training.span;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.decoder.RandomModelWriter;
import org.fewner.llm.lora.LoraConfig;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.fewner.ner.span.SpanMethod;
import org.fewner.training.source.TargetFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fewner train --method span} end to end on tiny random backbones (a BERT with a WordPiece
 * vocab.txt and a Qwen2-style decoder with a word-level tokenizer.json): adapter layout, record,
 * bit-identical repeat, resume, refusal of evaluation files.
 */
class SpanTrainingEndToEndTest {
    static final List<String> WORDS =
            List.of(
                    "the", "cat", "sat", "on", "mat", "john", "lives", "in", "paris", "a", "dog",
                    "berlin", "is", "big", "acme", "corp", "met", "mary", "at", "google");

    static Path bert(Path dir) throws Exception {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(WORDS);
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "bert");
        c.putArray("architectures").add("BertForMaskedLM");
        c.put("vocab_size", vocab.size());
        c.put("hidden_size", 16);
        c.put("num_hidden_layers", 2);
        c.put("num_attention_heads", 4);
        c.put("intermediate_size", 32);
        c.put("hidden_act", "gelu");
        c.put("max_position_embeddings", 64);
        c.put("type_vocab_size", 2);
        c.put("layer_norm_eps", 1e-12);
        c.put("initializer_range", 0.2);
        c.put("do_lower_case", true);
        Files.createDirectories(dir);
        RandomModelWriter.write(c, 3, true, dir, null);
        Files.write(dir.resolve("vocab.txt"), vocab);
        return dir;
    }

    static Path decoder(Path dir) throws Exception {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("model_type", "qwen2");
        n.putArray("architectures").add("Qwen2ForCausalLM");
        n.put("vocab_size", 32)
                .put("hidden_size", 16)
                .put("intermediate_size", 24)
                .put("num_hidden_layers", 2)
                .put("num_attention_heads", 4)
                .put("num_key_value_heads", 2)
                .put("max_position_embeddings", 64)
                .put("rms_norm_eps", 1e-5)
                .put("rope_theta", 10000.0)
                .put("tie_word_embeddings", true)
                .put("initializer_range", 0.2)
                .put("eos_token_id", 1);
        Files.createDirectories(dir);
        RandomModelWriter.write(n, 5, true, dir, null);
        ObjectNode tok = Json.MAPPER.createObjectNode();
        tok.put("version", "1.0");
        tok.putNull("truncation");
        tok.putNull("padding");
        ObjectNode unk = tok.putArray("added_tokens").addObject();
        unk.put("id", 0)
                .put("content", "<unk>")
                .put("single_word", false)
                .put("lstrip", false)
                .put("rstrip", false)
                .put("normalized", false)
                .put("special", true);
        tok.putObject("normalizer").put("type", "Lowercase");
        tok.putObject("pre_tokenizer").put("type", "Whitespace");
        tok.putNull("post_processor");
        tok.putNull("decoder");
        ObjectNode model = tok.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        v.put("<unk>", 0);
        v.put("</s>", 1);
        for (int i = 0; i < WORDS.size(); i++) {
            v.put(WORDS.get(i), i + 2);
        }
        model.put("unk_token", "<unk>");
        Files.writeString(dir.resolve("tokenizer.json"), Json.pretty(tok));
        return dir;
    }

    /** A BIO source with three types over the toy vocabulary. */
    static Path source(Path dir) throws Exception {
        Random r = new Random(1);
        StringBuilder sb = new StringBuilder();
        String[][] ents = {
            {"john", "PER"},
            {"mary", "PER"},
            {"paris", "LOC"},
            {"berlin", "LOC"},
            {"acme corp", "ORG"},
            {"google", "ORG"}
        };
        for (int s = 0; s < 40; s++) {
            String[] e1 = ents[r.nextInt(ents.length)];
            String[] e2 = ents[r.nextInt(ents.length)];
            List<String[]> toks = new ArrayList<>();
            bio(toks, e1);
            toks.add(new String[] {"met", "O"});
            bio(toks, e2);
            toks.add(new String[] {"in", "O"});
            toks.add(new String[] {"the", "O"});
            toks.add(new String[] {r.nextBoolean() ? "cat" : "dog", "O"});
            for (String[] t : toks) {
                sb.append(t[0]).append('\t').append(t[1]).append('\n');
            }
            sb.append('\n');
        }
        Path f = dir.resolve("src.txt");
        Files.writeString(f, sb.toString());
        return f;
    }

    private static void bio(List<String[]> toks, String[] e) {
        String[] w = e[0].split(" ");
        for (int i = 0; i < w.length; i++) {
            toks.add(new String[] {w[i], (i == 0 ? "B-" : "I-") + e[1]});
        }
    }

    static SpanTrainingConfig tiny(int steps) throws Exception {
        ObjectNode c = Json.MAPPER.valueToTree(SpanTrainingConfig.defaults());
        c.put("detectLayer", 2)
                .put("typeLayer", 1)
                .put("maxWidth", 3)
                .put("detectDim", 4)
                .put("typeDim", 4)
                .put("ways", 3)
                .put("shots", 1)
                .put("queryShots", 1)
                .put("extraSentences", 2)
                .put("maxSteps", steps)
                .put("warmup", 1)
                .put("checkpointSteps", 2);
        return Json.MAPPER.treeToValue(c, SpanTrainingConfig.class);
    }

    static JsonNode train(Path model, Path src, Path out, SpanTrainingConfig c, boolean resume) {
        return SpanTraining.run(
                new SpanTraining.Options(
                        model,
                        model.toString(),
                        List.of("bio:" + src),
                        List.of(),
                        out,
                        c,
                        List.of(),
                        resume,
                        null,
                        null,
                        "test",
                        "test"));
    }

    @Test
    void trainsOnADecoderAndTheAdapterRecognises(@TempDir Path dir) throws Exception {
        Path model = decoder(dir.resolve("qwen"));
        Path src = source(dir);
        Path out = dir.resolve("adapter");
        JsonNode rec = train(model, src, out, tiny(4), false);
        for (String f :
                List.of(
                        "adapter_config.json",
                        "adapter_model.safetensors",
                        "fewner_heads.safetensors",
                        "training.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode cfg = Json.readTree(out.resolve(LoraConfig.FILE));
        assertEquals("LORA", cfg.path("peft_type").asText());
        assertEquals(1, cfg.path("r").asInt());
        assertEquals(
                org.fewner.training.source.FileRef.sha256(src),
                rec.path("source_files").get(0).path("sha256").asText());
        assertEquals(4, rec.path("steps").asInt());
        assertTrue(Files.readAllLines(dir.resolve("adapter.log.jsonl")).size() == 4);
        // the config describes exactly the tensors the heads file holds (boundary context: on)
        java.util.Set<String> described = new java.util.TreeSet<>();
        cfg.path("fewner_heads").path("tensors").fieldNames().forEachRemaining(described::add);
        java.util.Set<String> held =
                new java.util.TreeSet<>(
                        org.fewner.llm.tensors.SafeTensors.readAll(
                                        out.resolve("fewner_heads.safetensors"))
                                .keySet());
        assertEquals(held, described);
        assertTrue(held.contains(org.fewner.ner.span.SpanHeads.DETECT_LEFT), held.toString());
        try (Backbone b = Models.load(model, Device.cpu());
                SpanMethod m = SpanMethod.load(b, out, SpanMethod.Overrides.NONE)) {
            SupportSet s =
                    new SupportSet(
                            List.of("person"),
                            List.of(
                                    new LabeledSentence(
                                            new WordSentence("s", List.of("john", "met", "mary")),
                                            List.of(
                                                    new Mention(0, 1, "person"),
                                                    new Mention(2, 3, "person")))));
            var pred =
                    m.adapt(s, 1)
                            .recognize(
                                    List.of(new WordSentence("q", List.of("mary", "is", "big"))));
            assertEquals(1, pred.size());
        }
    }

    @Test
    void sameSeedSameAdapterAndResumeReplays(@TempDir Path dir) throws Exception {
        Path model = bert(dir.resolve("bert"));
        Path src = source(dir);
        train(model, src, dir.resolve("a"), tiny(5), false);
        train(model, src, dir.resolve("b"), tiny(5), false);
        for (String f : List.of("adapter_model.safetensors", "fewner_heads.safetensors")) {
            assertArrayEquals(
                    Files.readAllBytes(dir.resolve("a").resolve(f)),
                    Files.readAllBytes(dir.resolve("b").resolve(f)),
                    f);
        }
        // a run stopped after its checkpoint at step 4 and resumed: train 4 steps of a 5-step run
        // by hand, then --resume
        Path c = dir.resolve("c");
        SpanTrainingConfig five = tiny(5);
        train(
                model,
                src,
                c,
                Json.MAPPER.treeToValue(
                        ((ObjectNode) Json.MAPPER.valueToTree(five)).put("maxSteps", 4),
                        SpanTrainingConfig.class),
                false);
        // the checkpoint holds step 4 of a 4-step config: resuming with the 5-step config is
        // refused
        assertThrows(FewNerException.class, () -> train(model, src, c, five, true));
    }

    @Test
    void evaluationFilesAreRefusedAsSources() {
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                TargetFiles.checkNotATarget(
                                        Path.of("/x/datasets/few-nerd/inter/test_5_1.jsonl.gz"),
                                        List.of()));
        assertTrue(e.getMessage().contains("evaluation data"), e.getMessage());
        Path t = Path.of("/data/target.txt");
        e = assertThrows(FewNerException.class, () -> TargetFiles.checkNotATarget(t, List.of(t)));
        assertTrue(e.getMessage().contains("evaluation target"), e.getMessage());
        e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                TargetFiles.checkNotATarget(
                                        Path.of("/x/datasets/source/gum-nontarget/gum-train.txt"),
                                        List.of(
                                                Path.of(
                                                        "/x/datasets/crossdomain/proml/gum-test.txt"))));
        assertTrue(e.getMessage().contains("GUM"), e.getMessage());
        TargetFiles.checkNotATarget(Path.of("/x/datasets/source/btc/btc.txt"), List.of());
    }

    @Test
    void targetSentencesReadCoNLL2003AndTwoColumnFiles(@TempDir Path dir) throws Exception {
        Path conll = dir.resolve("eng.testb");
        Files.writeString(
                conll,
                "-DOCSTART- -X- -X- O\n\nSOCCER NN I-NP O\n- : O O\nJAPAN NNP I-NP I-LOC\n\n"
                        + "Nadim NNP I-NP I-PER\nLadki NNP I-NP I-PER\n\n");
        assertEquals("conll2003", TargetFiles.columnFormat(conll));
        assertEquals(
                java.util.Set.of("soccer - japan", "nadim ladki"),
                TargetFiles.targetSentences(conll, dir.resolve("w1")));
        Path bio = dir.resolve("test.tsv");
        Files.writeString(bio, "Torsade\tB-Disease\nde\tI-Disease\n\nok\tO\n\n");
        assertEquals("bio", TargetFiles.columnFormat(bio));
        assertEquals(
                java.util.Set.of("torsade de", "ok"),
                TargetFiles.targetSentences(bio, dir.resolve("w2")));
    }
}
