package org.fewner.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;

/**
 * A BERT WordPiece {@code vocab.txt} (one token per line, id = line index) and the equivalent HF
 * {@code tokenizer.json}: {@code BertNormalizer} (lowercase per model, {@code strip_accents} null
 * so it follows lowercase), {@code BertPreTokenizer}, {@code WordPiece} ({@code [UNK]}, {@code ##},
 * 100 chars per word), {@code TemplateProcessing} {@code [CLS] $A [SEP]} (pairs {@code [CLS] $A
 * [SEP] $B:1 [SEP]:1}) with the special ids taken from the vocab. This is what HF's {@code
 * BertTokenizerFast} builds from a vocab file (stack.md §4).
 */
public final class BertVocab {
    /** Special tokens a BERT vocab must contain. */
    public static final List<String> SPECIALS =
            List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");

    private static final ObjectMapper JSON = Json.MAPPER;

    private BertVocab() {}

    /**
     * Reads {@code vocab.txt}: token → id (line index). A repeated token keeps its first id, as
     * lookups need one id per token. Errors name the file and the missing special token.
     */
    public static Map<String, Integer> read(Path vocabTxt) {
        List<String> lines;
        try {
            lines = Files.readAllLines(vocabTxt, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FewNerException(
                    vocabTxt + ": cannot read the vocabulary: " + e.getMessage(), e);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String tok = lines.get(i);
            if (tok.endsWith("\r")) {
                tok = tok.substring(0, tok.length() - 1);
            }
            if (tok.isEmpty() && i == lines.size() - 1) {
                break;
            }
            vocab.putIfAbsent(tok, i);
        }
        if (vocab.isEmpty()) {
            throw new FewNerException(
                    vocabTxt + ": empty vocabulary (expected one WordPiece token per line)");
        }
        for (String s : SPECIALS) {
            if (!vocab.containsKey(s)) {
                throw new FewNerException(
                        vocabTxt
                                + ": special token "
                                + s
                                + " missing (a BERT vocab.txt has "
                                + String.join(", ", SPECIALS)
                                + ")");
            }
        }
        return vocab;
    }

    /**
     * The HF {@code tokenizer.json} equivalent to BERT's WordPiece tokenizer over {@code vocabTxt}.
     */
    public static ObjectNode toTokenizerJson(Path vocabTxt, boolean lowercase) {
        Map<String, Integer> vocab = read(vocabTxt);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        List<String> specials = new ArrayList<>(SPECIALS);
        specials.sort((a, b) -> Integer.compare(vocab.get(a), vocab.get(b)));
        for (String s : specials) {
            ObjectNode t = added.addObject();
            t.put("id", vocab.get(s));
            t.put("content", s);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "BertNormalizer");
        norm.put("clean_text", true);
        norm.put("handle_chinese_chars", true);
        norm.putNull("strip_accents");
        norm.put("lowercase", lowercase);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        special(single, "[CLS]", 0);
        sequence(single, "A", 0);
        special(single, "[SEP]", 0);
        ArrayNode pair = post.putArray("pair");
        special(pair, "[CLS]", 0);
        sequence(pair, "A", 0);
        special(pair, "[SEP]", 0);
        sequence(pair, "B", 1);
        special(pair, "[SEP]", 1);
        ObjectNode st = post.putObject("special_tokens");
        for (String s : List.of("[CLS]", "[SEP]")) {
            ObjectNode o = st.putObject(s);
            o.put("id", s);
            o.putArray("ids").add(vocab.get(s));
            o.putArray("tokens").add(s);
        }
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "WordPiece");
        dec.put("prefix", "##");
        dec.put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        return root;
    }

    private static void special(ArrayNode a, String id, int type) {
        ObjectNode s = a.addObject().putObject("SpecialToken");
        s.put("id", id);
        s.put("type_id", type);
    }

    private static void sequence(ArrayNode a, String id, int type) {
        ObjectNode s = a.addObject().putObject("Sequence");
        s.put("id", id);
        s.put("type_id", type);
    }

    /** {@link #toTokenizerJson} as bytes. */
    public static byte[] toTokenizerJsonBytes(Path vocabTxt, boolean lowercase) {
        try {
            return JSON.writeValueAsBytes(toTokenizerJson(vocabTxt, lowercase));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the generated {@code tokenizer.json} to {@code out} atomically (temp file, then move).
     */
    public static void writeTokenizerJson(Path vocabTxt, boolean lowercase, Path out) {
        org.fewner.common.AtomicFiles.writeBytes(out, toTokenizerJsonBytes(vocabTxt, lowercase));
    }

    /**
     * Whether a BERT model directory lowercases: {@code do_lower_case} of {@code
     * tokenizer_config.json}, else of {@code config.json}, else HF {@code BertTokenizer}'s default
     * {@code true}.
     */
    public static boolean lowercaseOf(Path modelDir) {
        for (String f : List.of("tokenizer_config.json", "config.json")) {
            Path p = modelDir.resolve(f);
            if (!Files.isRegularFile(p)) {
                continue;
            }
            JsonNode n = org.fewner.common.Json.readTree(p);
            JsonNode d = n == null ? null : n.get("do_lower_case");
            if (d != null && !d.isNull()) {
                if (!d.isBoolean()) {
                    throw new FewNerException(
                            p + ": field 'do_lower_case' must be true or false, found " + d);
                }
                return d.asBoolean();
            }
        }
        return true;
    }
}
