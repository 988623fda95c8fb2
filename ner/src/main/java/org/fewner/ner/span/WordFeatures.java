package org.fewner.ner.span;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneOutput;
import org.fewner.llm.tokenizer.ModelTokenizer;

/**
 * Word vectors from a frozen backbone: for each word, the hidden state of its <b>first</b>
 * word-piece at each requested layer (HF numbering, 0 = embedding output). Sentences are encoded in
 * batches sorted by length; a sentence longer than the model's limit is encoded as consecutive
 * windows of whole words (never truncated), each window with the model's special tokens.
 *
 * <p>Words are tokenised one by one (the same pieces a word-level HF encode gives for BERT's
 * WordPiece); a word that yields no piece is encoded as the tokenizer's encoding of "[UNK]" (or its
 * first piece id 0 for tokenizers without it) so that every word has a vector.
 *
 * <p>Thread-safe: each call brings its own {@link NDManager}.
 */
public final class WordFeatures {
    /** Word-pieces per forward row at most (BERT's 512 minus [CLS] and [SEP]). */
    public static final int DEFAULT_MAX_PIECES = 510;

    private final Backbone backbone;
    private final int[] layers;
    private final int maxPieces;
    private final long[] prefix;
    private final long[] suffix;
    private final long padId;
    private final long unkId;
    private final int tokenBudget;

    /**
     * @param backbone a loaded model
     * @param layers the layers to return, in this order
     * @param maxPieces word-pieces per window at most (without special tokens)
     * @param tokenBudget padded tokens per forward batch at most (memory/speed trade-off)
     */
    public WordFeatures(Backbone backbone, int[] layers, int maxPieces, int tokenBudget) {
        this.backbone = backbone;
        this.layers = layers.clone();
        int n = backbone.config().numHiddenLayers();
        for (int l : layers) {
            if (l < 0 || l > n) {
                throw new IllegalArgumentException(
                        "layer " + l + " does not exist (the model has layers 0.." + n + ")");
            }
        }
        this.maxPieces = maxPieces;
        this.tokenBudget = Math.max(tokenBudget, maxPieces + 2);
        ModelTokenizer tok = backbone.tokenizer();
        long[] plain = tok.encode("a", false).ids();
        long[] withSpecial = tok.encode("a", true).ids();
        int at = indexOf(withSpecial, plain);
        if (at < 0) {
            prefix = new long[0];
            suffix = new long[0];
        } else {
            prefix = Arrays.copyOfRange(withSpecial, 0, at);
            suffix = Arrays.copyOfRange(withSpecial, at + plain.length, withSpecial.length);
        }
        long[] unk = tok.encode("[UNK]", false).ids();
        unkId = unk.length == 1 ? unk[0] : 0;
        padId = 0;
    }

    public int[] layers() {
        return layers.clone();
    }

    public int hiddenSize() {
        return backbone.config().hiddenSize();
    }

    public Backbone backbone() {
        return backbone;
    }

    private static int indexOf(long[] hay, long[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The word-piece ids of one word (never empty). */
    long[] pieces(String word) {
        long[] ids = backbone.tokenizer().encode(word, false).ids();
        return ids.length == 0 ? new long[] {unkId} : ids;
    }

    /** A window of consecutive words of one sentence. */
    private record Window(int sentence, int firstWord, long[][] wordPieces, int pieceCount) {}

    /**
     * Encodes sentences.
     *
     * @param sentences words of each sentence
     * @return per sentence, per requested layer, the word vectors row-major {@code [words, H]}
     */
    public float[][][] encode(List<List<String>> sentences) {
        int h = hiddenSize();
        float[][][] out = new float[sentences.size()][layers.length][];
        List<Window> windows = new ArrayList<>();
        for (int s = 0; s < sentences.size(); s++) {
            List<String> words = sentences.get(s);
            for (int l = 0; l < layers.length; l++) {
                out[s][l] = new float[words.size() * h];
            }
            List<long[]> cur = new ArrayList<>();
            int curPieces = 0;
            int first = 0;
            for (int w = 0; w < words.size(); w++) {
                long[] p = pieces(words.get(w));
                if (p.length > maxPieces) {
                    p = Arrays.copyOf(p, maxPieces); // only the first piece is read
                }
                if (curPieces + p.length > maxPieces && !cur.isEmpty()) {
                    windows.add(new Window(s, first, cur.toArray(long[][]::new), curPieces));
                    cur = new ArrayList<>();
                    curPieces = 0;
                    first = w;
                }
                cur.add(p);
                curPieces += p.length;
            }
            if (!cur.isEmpty()) {
                windows.add(new Window(s, first, cur.toArray(long[][]::new), curPieces));
            }
        }
        windows.sort(Comparator.comparingInt(Window::pieceCount));
        int i = 0;
        while (i < windows.size()) {
            int j = i;
            int maxLen = 0;
            while (j < windows.size()) {
                int len = windows.get(j).pieceCount + prefix.length + suffix.length;
                int newMax = Math.max(maxLen, len);
                if (j > i && newMax * (j - i + 1) > tokenBudget) {
                    break;
                }
                maxLen = newMax;
                j++;
            }
            runBatch(windows.subList(i, j), maxLen, out, h);
            i = j;
        }
        return out;
    }

    private void runBatch(List<Window> batch, int maxLen, float[][][] out, int h) {
        int b = batch.size();
        long[][] ids = new long[b][maxLen];
        long[][] mask = new long[b][maxLen];
        int[][] firstPiece = new int[b][];
        for (int r = 0; r < b; r++) {
            Window w = batch.get(r);
            Arrays.fill(ids[r], padId);
            int t = 0;
            for (long id : prefix) {
                ids[r][t] = id;
                mask[r][t++] = 1;
            }
            firstPiece[r] = new int[w.wordPieces.length];
            for (int k = 0; k < w.wordPieces.length; k++) {
                firstPiece[r][k] = t;
                for (long id : w.wordPieces[k]) {
                    ids[r][t] = id;
                    mask[r][t++] = 1;
                }
            }
            for (long id : suffix) {
                ids[r][t] = id;
                mask[r][t++] = 1;
            }
        }
        try (NDManager m = backbone.manager().newSubManager()) {
            BackboneOutput o = backbone.forward(m, ids, mask, null);
            for (int l = 0; l < layers.length; l++) {
                NDArray hs = o.hidden(layers[l]);
                float[] all = hs.toFloatArray(); // [B, T, H]
                for (int r = 0; r < b; r++) {
                    Window w = batch.get(r);
                    float[] dst = out[w.sentence][l];
                    for (int k = 0; k < firstPiece[r].length; k++) {
                        System.arraycopy(
                                all,
                                (r * maxLen + firstPiece[r][k]) * h,
                                dst,
                                (w.firstWord + k) * h,
                                h);
                    }
                }
            }
        }
    }
}
