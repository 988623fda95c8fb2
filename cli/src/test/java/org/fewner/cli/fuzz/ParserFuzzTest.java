package org.fewner.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fewner.cli.stats.CorpusStats;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.lora.LoraConfig;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.fewner.llm.tensors.TensorSource;
import org.fewner.llm.tokenizer.ModelTokenizer;
import org.fewner.llm.tokenizer.TokenizerJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz test of the parsers a user feeds files to: seeded random mutations of valid files ({@link
 * Mutator}: structural JSON mutations and byte-level ones). Every case must end in a correct result
 * or in a {@link FewNerException} with a one-line message, never in another exception, a hang or a
 * JVM abort (the tokenizer cases load the surviving files into the native tokenizers library, where
 * a panic would abort the test JVM). Seeds are fixed, so a failure names a case that reruns
 * identically; {@code -Dfewner.fuzz.cases=N} scales the number of cases.
 */
public class ParserFuzzTest {
    /** Cases per parser (CI default: thousands in all, a few seconds per parser). */
    static final int CASES = Integer.getInteger("fewner.fuzz.cases", 1500);

    @TempDir Path tmp;

    @FunctionalInterface
    interface Case {
        void run(Mutator m, int index) throws Exception;
    }

    /** Runs {@code cases} mutations; each must succeed or end in a one-line FewNerException. */
    static void fuzz(String name, long seed, int cases, Case c) {
        int[] refused = {0};
        assertTimeoutPreemptively(
                Duration.ofSeconds(120),
                () -> {
                    for (int i = 0; i < cases; i++) {
                        Mutator m = new Mutator(seed * 1_000_003L + i);
                        try {
                            c.run(m, i);
                        } catch (FewNerException e) {
                            String msg = e.getMessage();
                            if (msg == null || msg.contains("\n") || msg.length() > 1500) {
                                fail(name + " case " + i + ": message not one short line: " + msg);
                            }
                            refused[0]++;
                        } catch (Throwable t) {
                            throw new AssertionError(
                                    name + " case " + i + " (seed " + seed + "): " + t, t);
                        }
                    }
                });
        // the mutations must reach the error paths, or the test proves nothing
        assertTrue(
                refused[0] > cases / 20,
                name + ": only " + refused[0] + " of " + cases + " refused");
    }

    // ----------------------------------------------------------------------------- safetensors

    @Test
    void safetensorsHeader() throws Exception {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a.weight", HostTensor.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        t.put("b.bias", HostTensor.ofFloats(new long[] {3}, new float[] {0.5f, -1, 2}));
        t.put("ids", HostTensor.ofLongs(new long[] {2}, new long[] {7, 9}));
        Path valid = tmp.resolve("valid.safetensors");
        SafeTensors.write(valid, t, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(valid);
        long headerLen =
                java.nio.ByteBuffer.wrap(bytes, 0, 8)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .getLong();
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        JsonNode tree = Json.MAPPER.readTree(header.strip());
        byte[] data = java.util.Arrays.copyOfRange(bytes, 8 + (int) headerLen, bytes.length);
        Path f = tmp.resolve("m.safetensors");
        fuzz(
                "safetensors",
                1,
                CASES,
                (m, i) -> {
                    byte[] file;
                    if (m.random().nextInt(3) == 0) {
                        file = m.mutateBytes(bytes);
                    } else {
                        byte[] h = Json.line(m.mutate(tree)).getBytes(StandardCharsets.UTF_8);
                        java.nio.ByteBuffer b =
                                java.nio.ByteBuffer.allocate(8 + h.length + data.length)
                                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                        b.putLong(h.length).put(h).put(data);
                        file = b.array();
                    }
                    Files.write(f, file);
                    try (TensorSource s = SafeTensors.open(f)) {
                        for (String n : s.names()) {
                            HostTensor x = s.get(n);
                            if (x.dtype().isFloating()) {
                                s.weight(n).toFloats();
                            } else {
                                x.toLongs();
                            }
                        }
                    }
                });
    }

    // ----------------------------------------------------------------------------- config.json

    @Test
    void configJson() throws Exception {
        ObjectNode llama =
                (ObjectNode)
                        Json.MAPPER.readTree(
                                "{\"model_type\":\"llama\",\"architectures\":[\"LlamaForCausalLM\"],"
                                        + "\"vocab_size\":64,\"hidden_size\":16,\"intermediate_size\":24,"
                                        + "\"num_hidden_layers\":2,\"num_attention_heads\":4,"
                                        + "\"num_key_value_heads\":2,\"max_position_embeddings\":64,"
                                        + "\"rms_norm_eps\":1e-5,\"rope_theta\":500000.0,"
                                        + "\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":32.0,"
                                        + "\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
                                        + "\"original_max_position_embeddings\":8192},"
                                        + "\"eos_token_id\":[1,2],\"bos_token_id\":0,\"tie_word_embeddings\":true}");
        ObjectNode bert =
                (ObjectNode)
                        Json.MAPPER.readTree(
                                "{\"model_type\":\"bert\",\"architectures\":[\"BertForMaskedLM\"],"
                                        + "\"vocab_size\":16,\"hidden_size\":8,\"intermediate_size\":16,"
                                        + "\"num_hidden_layers\":2,\"num_attention_heads\":2,"
                                        + "\"max_position_embeddings\":32,\"layer_norm_eps\":1e-12,"
                                        + "\"hidden_act\":\"gelu\",\"type_vocab_size\":2}");
        Path f = tmp.resolve("config.json");
        fuzz(
                "config.json",
                2,
                CASES,
                (m, i) -> {
                    ObjectNode base = i % 2 == 0 ? llama : bert;
                    if (m.random().nextInt(4) == 0) {
                        Files.write(
                                f,
                                m.mutateBytes(Json.pretty(base).getBytes(StandardCharsets.UTF_8)));
                    } else {
                        Files.writeString(f, Json.pretty(m.mutate(base)));
                    }
                    ModelConfigs.read(f);
                });
    }

    // ----------------------------------------------------------------------------- adapter_config

    @Test
    void adapterConfigJson() throws Exception {
        JsonNode valid =
                Json.MAPPER.readTree(
                        "{\"peft_type\":\"LORA\",\"r\":8,\"lora_alpha\":16,\"lora_dropout\":0.05,"
                                + "\"target_modules\":[\"q_proj\",\"v_proj\"],\"bias\":\"none\","
                                + "\"use_rslora\":false,\"fan_in_fan_out\":false,"
                                + "\"layers_to_transform\":null,\"layers_pattern\":null,"
                                + "\"rank_pattern\":{\"q_proj\":4},\"alpha_pattern\":{},"
                                + "\"base_model_name_or_path\":\"tiny\",\"task_type\":\"CAUSAL_LM\","
                                + "\"inference_mode\":true,\"init_lora_weights\":true,"
                                + "\"modules_to_save\":null}");
        Path dir = Files.createDirectory(tmp.resolve("adapter"));
        LoraConfig.read(writeJson(dir.resolve(LoraConfig.FILE), valid)); // the seed is valid
        fuzz(
                "adapter_config.json",
                3,
                CASES,
                (m, i) -> {
                    if (m.random().nextInt(4) == 0) {
                        Files.write(
                                dir.resolve(LoraConfig.FILE),
                                m.mutateBytes(Json.pretty(valid).getBytes(StandardCharsets.UTF_8)));
                    } else {
                        writeJson(dir.resolve(LoraConfig.FILE), m.mutate(valid));
                    }
                    LoraConfig.read(dir);
                });
    }

    private static Path writeJson(Path f, JsonNode n) throws Exception {
        Files.writeString(f, Json.pretty(n));
        return f.getParent();
    }

    // ----------------------------------------------------------------------------- CoNLL

    @Test
    void conll() throws Exception {
        byte[] conll2003 =
                ("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n"
                                + "German JJ B-NP B-MISC\ncall NN I-NP O\n. . O O\n\n"
                                + "Peter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] twoColumn =
                "New\tB-LOC\nYork\tI-LOC\nis\tO\nbig\tO\n\nAlice\tB-PER\n"
                        .getBytes(StandardCharsets.UTF_8);
        Path f = tmp.resolve("corpus.txt");
        fuzz(
                "CoNLL",
                4,
                CASES,
                (m, i) -> {
                    boolean four = i % 2 == 0;
                    Files.write(f, m.mutateBytes(four ? conll2003 : twoColumn));
                    CorpusStats.count(
                            f.toString(),
                            four ? CorpusStats.Format.CONLL2003 : CorpusStats.Format.CONLL);
                });
    }

    // ----------------------------------------------------------------------------- Few-NERD

    @Test
    void fewNerdEpisodes() throws Exception {
        JsonNode episode =
                Json.MAPPER.readTree(
                        "{\"support\":{\"word\":[[\"alice\",\"sang\"],[\"in\",\"new\",\"york\"]],"
                                + "\"label\":[[\"person-actor\",\"O\"],[\"O\",\"location-GPE\",\"location-GPE\"]]},"
                                + "\"query\":{\"word\":[[\"bob\",\"ran\"]],\"label\":[[\"person-actor\",\"O\"]]},"
                                + "\"types\":[\"location-GPE\",\"person-actor\"]}");
        Path f = tmp.resolve("episodes.jsonl");
        fuzz(
                "Few-NERD",
                5,
                CASES,
                (m, i) -> {
                    String good = Json.line(episode);
                    String text;
                    if (m.random().nextInt(4) == 0) {
                        text =
                                new String(
                                        m.mutateBytes(
                                                (good + "\n" + good + "\n")
                                                        .getBytes(StandardCharsets.UTF_8)),
                                        StandardCharsets.ISO_8859_1);
                        Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
                    } else {
                        Files.writeString(f, good + "\n" + Json.line(m.mutate(episode)) + "\n");
                    }
                    CorpusStats.count(f.toString(), CorpusStats.Format.FEWNERD_EPISODES);
                });
    }

    // ----------------------------------------------------------------------------- tokenizer.json

    /** A small valid WordPiece tokenizer.json with a BERT template post-processor. */
    public static final String TOKENIZER =
            "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
                    + "\"added_tokens\":[{\"id\":0,\"content\":\"[PAD]\",\"single_word\":false,"
                    + "\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],"
                    + "\"normalizer\":{\"type\":\"BertNormalizer\",\"clean_text\":true,"
                    + "\"handle_chinese_chars\":true,\"strip_accents\":null,\"lowercase\":true},"
                    + "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},"
                    + "\"post_processor\":{\"type\":\"TemplateProcessing\","
                    + "\"single\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},"
                    + "{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                    + "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}}],"
                    + "\"pair\":[{\"SpecialToken\":{\"id\":\"[CLS]\",\"type_id\":0}},"
                    + "{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
                    + "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":0}},"
                    + "{\"Sequence\":{\"id\":\"B\",\"type_id\":1}},"
                    + "{\"SpecialToken\":{\"id\":\"[SEP]\",\"type_id\":1}}],"
                    + "\"special_tokens\":{\"[CLS]\":{\"id\":\"[CLS]\",\"ids\":[2],\"tokens\":[\"[CLS]\"]},"
                    + "\"[SEP]\":{\"id\":\"[SEP]\",\"ids\":[3],\"tokens\":[\"[SEP]\"]}}},"
                    + "\"decoder\":{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true},"
                    + "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\","
                    + "\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":100,"
                    + "\"vocab\":{\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3,\"hello\":4,"
                    + "\"world\":5,\"##s\":6,\"new\":7,\"york\":8}}}";

    @Test
    void tokenizerJson() throws Exception {
        JsonNode valid = Json.MAPPER.readTree(TOKENIZER);
        byte[] validBytes = TOKENIZER.getBytes(StandardCharsets.UTF_8);
        Path f = tmp.resolve("tokenizer.json");
        fuzz(
                "tokenizer.json",
                6,
                CASES / 2,
                (m, i) -> {
                    byte[] bytes =
                            m.random().nextInt(4) == 0
                                    ? m.mutateBytes(validBytes)
                                    : Json.line(m.mutate(valid)).getBytes(StandardCharsets.UTF_8);
                    Files.write(f, bytes);
                    TokenizerJson.check(f, bytes);
                    // the Java checks passed: the native library must now load it or refuse it
                    // cleanly, and encode without a panic
                    try (ModelTokenizer t = ModelTokenizer.load(f)) {
                        t.encode("Hello worlds, New York!", true);
                    }
                });
    }
}
