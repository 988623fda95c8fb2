package org.fewner.llm.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.fewner.common.FewNerException;

/**
 * A model's tokenizer ({@code tokenizer.json} through DJL's HF tokenizers binding), with character
 * offsets. Truncation and padding are always off: a too-long text is the caller's to refuse or
 * window, never silently cut (the binding's defaults truncate at 512, stack.md §4).
 */
public final class ModelTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final Path source;

    private ModelTokenizer(HuggingFaceTokenizer tokenizer, Path source) {
        this.tokenizer = tokenizer;
        this.source = source;
    }

    /**
     * Loads a tokenizer from a model directory or a {@code tokenizer.json} file. A directory uses
     * its {@code tokenizer.json}; a BERT directory with only {@code vocab.txt} gets the equivalent
     * WordPiece tokenizer generated in memory ({@link BertVocab}), lowercasing per {@code
     * do_lower_case} of tokenizer_config.json. A path to a {@code .txt} file is read as such a
     * vocabulary.
     */
    public static ModelTokenizer load(Path path) {
        if (Files.isDirectory(path)) {
            Path json = path.resolve("tokenizer.json");
            Path vocab = path.resolve("vocab.txt");
            if (Files.isRegularFile(json)) {
                return loadJson(json);
            }
            if (Files.isRegularFile(vocab)) {
                return fromVocab(vocab, BertVocab.lowercaseOf(path));
            }
            throw new FewNerException(
                    path
                            + ": tokenizer missing (expected tokenizer.json, or vocab.txt for a "
                            + "BERT model, in this directory)");
        }
        if (!Files.isRegularFile(path)) {
            throw new FewNerException(path + ": tokenizer missing (no such file)");
        }
        if (path.getFileName().toString().endsWith(".txt")) {
            Path dir = path.toAbsolutePath().getParent();
            return fromVocab(path, BertVocab.lowercaseOf(dir));
        }
        return loadJson(path);
    }

    /** A BERT WordPiece tokenizer generated from {@code vocab.txt} (see {@link BertVocab}). */
    public static ModelTokenizer fromVocab(Path vocabTxt, boolean lowercase) {
        byte[] generated = BertVocab.toTokenizerJsonBytes(vocabTxt, lowercase);
        try {
            return new ModelTokenizer(
                    HuggingFaceTokenizer.newInstance(
                            new ByteArrayInputStream(generated), options()),
                    vocabTxt);
        } catch (IOException | RuntimeException e) {
            throw new FewNerException(
                    vocabTxt + ": cannot build a WordPiece tokenizer: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> options() {
        Map<String, String> opts = new HashMap<>();
        opts.put("addSpecialTokens", "true");
        opts.put("truncation", "false");
        opts.put("padding", "false");
        opts.put("modelMaxLength", String.valueOf(Integer.MAX_VALUE));
        opts.put("maxLength", String.valueOf(Integer.MAX_VALUE));
        return opts;
    }

    private static ModelTokenizer loadJson(Path file) {
        byte[] checked = TokenizerJson.read(file);
        try {
            return new ModelTokenizer(
                    HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(checked), options()),
                    file);
        } catch (IOException | RuntimeException e) {
            throw new FewNerException(file + ": cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    /**
     * Token ids and the character span of each token in {@code text} ([start, end); -1/-1 for
     * special tokens).
     */
    public Tokens encode(String text, boolean addSpecialTokens) {
        Encoding e;
        try {
            e = tokenizer.encode(text, addSpecialTokens, false);
        } catch (RuntimeException x) {
            // the native library reports problems of the tokenizer file only when it is used
            throw new FewNerException(
                    source + ": the tokenizer cannot encode text: " + x.getMessage(), x);
        }
        CharSpan[] spans = e.getCharTokenSpans();
        int n = e.getIds().length;
        int[] start = new int[n];
        int[] end = new int[n];
        for (int i = 0; i < n; i++) {
            CharSpan s = spans[i];
            start[i] = s == null ? -1 : s.getStart();
            end[i] = s == null ? -1 : s.getEnd();
        }
        return new Tokens(e.getIds(), e.getTokens(), start, end, e.getSpecialTokenMask());
    }

    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /**
     * The underlying DJL tokenizer, for word-level encodes ({@code encode(String[])} + word ids).
     */
    public HuggingFaceTokenizer hf() {
        return tokenizer;
    }

    /** The file the tokenizer came from: tokenizer.json, or vocab.txt when generated from it. */
    public Path source() {
        return source;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /**
     * One encoded text.
     *
     * @param ids token ids
     * @param tokens token strings
     * @param charStart start offset of each token in the text (-1 for special tokens)
     * @param charEnd end offset (exclusive) of each token (-1 for special tokens)
     * @param special 1 where the token is a special token
     */
    public record Tokens(
            long[] ids, String[] tokens, int[] charStart, int[] charEnd, long[] special) {
        public int size() {
            return ids.length;
        }
    }
}
