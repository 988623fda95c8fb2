package org.fewner.llm.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.fewner.common.FewNerException;
import org.fewner.common.InputFiles;
import org.fewner.common.Json;

/**
 * Checks a {@code tokenizer.json} in Java before the native Hugging Face tokenizers library sees
 * it. The library reports most malformed files as errors, but some inputs make it panic, and a
 * panic across JNI aborts the whole JVM (exit 134): a raw NUL byte, an unpaired UTF-16 surrogate
 * escape such as {@code "\ud800"}, bytes that are not UTF-8 (found by {@code ParserFuzzTest}).
 * Those, and JSON syntax errors (reported here on one line with line and column), never reach it.
 */
public final class TokenizerJson {
    private static final ObjectReader READER =
            Json.MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final Set<String> MODEL_TYPES =
            Set.of("BPE", "WordPiece", "WordLevel", "Unigram");

    private TokenizerJson() {}

    /** Reads and checks {@code file}; returns its bytes for the native library. */
    public static byte[] read(Path file) {
        InputFiles.requireFile(file);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
        }
        check(file, bytes);
        return bytes;
    }

    /** Checks the bytes of a tokenizer.json ({@code file} names it in messages). */
    public static void check(Path file, byte[] bytes) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new FewNerException(
                    file + ": not valid UTF-8 text (a tokenizer.json is JSON)", e);
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new FewNerException(
                        file + ": NUL byte at offset " + i + " (a tokenizer.json is JSON text)");
            }
        }
        JsonNode root;
        try {
            root = READER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new FewNerException(file + Json.problemOf(e), e);
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new FewNerException(file + ": expected a JSON object (a tokenizer.json)");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw new FewNerException(file + ": field 'model' must be an object");
        }
        JsonNode type = model.get("type");
        if (type != null && !(type.isTextual() && MODEL_TYPES.contains(type.asText()))) {
            throw new FewNerException(
                    file
                            + ": model.type must be one of "
                            + String.join(", ", new java.util.TreeSet<>(MODEL_TYPES))
                            + ", found "
                            + FewNerException.quote(type.toString()));
        }
        JsonNode unk = model.get("unk_token");
        JsonNode vocab = model.get("vocab");
        if ("WordPiece".equals(model.path("type").asText("WordPiece"))
                && unk != null
                && unk.isTextual()
                && vocab != null
                && vocab.isObject()
                && !vocab.has(unk.asText())) {
            throw new FewNerException(
                    file
                            + ": model.unk_token "
                            + FewNerException.quote(unk.asText())
                            + " is not in model.vocab");
        }
        checkStrings(file, root, "");
        JsonNode post = root.get("post_processor");
        if (post != null && !post.isNull()) {
            checkPostProcessor(file, post, "post_processor");
        }
    }

    /**
     * A template post-processor ({@code TemplateProcessing}, alone or inside a {@code Sequence})
     * must define every special token its templates use, each with as many ids as tokens: the
     * library panics on encode otherwise.
     */
    private static void checkPostProcessor(Path file, JsonNode post, String path) {
        if (!post.isObject()) {
            return; // the library reports a wrong type itself
        }
        JsonNode processors = post.get("processors");
        if (processors != null && processors.isArray()) {
            for (int i = 0; i < processors.size(); i++) {
                checkPostProcessor(file, processors.get(i), path + ".processors[" + i + "]");
            }
        }
        if (!post.has("single") && !post.has("pair")) {
            return;
        }
        JsonNode special = post.get("special_tokens");
        java.util.Set<String> defined = new java.util.HashSet<>();
        if (special != null && special.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = special.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode ids = f.getValue().path("ids");
                JsonNode tokens = f.getValue().path("tokens");
                if (!ids.isArray() || !tokens.isArray() || ids.size() != tokens.size()) {
                    throw new FewNerException(
                            file
                                    + ": "
                                    + path
                                    + ".special_tokens."
                                    + FewNerException.quote(f.getKey())
                                    + ": expected 'ids' and 'tokens' lists of the same length");
                }
                for (JsonNode id : ids) {
                    if (!id.isIntegralNumber() || id.asLong() < 0 || id.asLong() > 0xffffffffL) {
                        throw new FewNerException(
                                file
                                        + ": "
                                        + path
                                        + ".special_tokens."
                                        + FewNerException.quote(f.getKey())
                                        + ": token id "
                                        + FewNerException.quote(id.toString())
                                        + " is not a non-negative integer");
                    }
                }
                defined.add(f.getKey());
            }
        }
        for (String template : new String[] {"single", "pair"}) {
            JsonNode t = post.get(template);
            if (t == null || !t.isArray()) {
                continue;
            }
            for (JsonNode piece : t) {
                JsonNode st = piece.path("SpecialToken");
                if (st.isObject() && st.path("id").isTextual()) {
                    String id = st.get("id").asText();
                    if (!defined.contains(id)) {
                        throw new FewNerException(
                                file
                                        + ": "
                                        + path
                                        + "."
                                        + template
                                        + " uses special token "
                                        + FewNerException.quote(id)
                                        + ", which "
                                        + path
                                        + ".special_tokens does not define");
                    }
                }
            }
        }
    }

    /** Every key and string value must be valid Unicode: no unpaired surrogate. */
    private static void checkStrings(Path file, JsonNode node, String path) {
        if (node.isTextual()) {
            checkText(file, node.asText(), path);
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String p = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
                checkText(file, f.getKey(), p);
                checkStrings(file, f.getValue(), p);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkStrings(file, node.get(i), path + "[" + i + "]");
            }
        }
    }

    private static void checkText(Path file, String s, String path) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new FewNerException(
                        file
                                + ": "
                                + FewNerException.quote(path)
                                + ": unpaired UTF-16 surrogate \\u"
                                + Integer.toHexString(c)
                                + " (not a Unicode character)");
            }
        }
    }
}
