package org.fewner.ner.encode;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.fewner.common.FewNerException;
import org.fewner.llm.bert.BertModel;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneOutput;
import org.fewner.llm.model.IntraOpThreads;
import org.fewner.llm.tokenizer.ModelTokenizer;
import org.fewner.ner.EncodedSentence;
import org.fewner.ner.EncoderStats;
import org.fewner.ner.WordEncoder;
import org.fewner.ner.WordSentence;

/**
 * A {@link WordEncoder} over a frozen {@link Backbone}: each sentence's words are split into
 * word-pieces by the model's tokenizer (pre-tokenized input, so word boundaries are the caller's),
 * wrapped in the model's special tokens, and run through the model in batches of similar length;
 * each word gets the hidden state of its first (and, optionally, last) word-piece at the requested
 * layers.
 *
 * <p><b>Cache.</b> Results are cached by the sentence's words (an LRU bounded in bytes), so a
 * sentence that occurs in many episodes is encoded once per run. The cache assumes a frozen
 * backbone and one adapter, both fixed at construction.
 *
 * <p><b>Long sentences.</b> A sentence whose word-pieces do not fit the model's limit ({@code
 * max_position_embeddings}, special tokens included) is encoded in overlapping windows of whole
 * words (consecutive windows share about half a window); each word takes its states from the window
 * where it has the most context on both sides. Nothing is truncated; {@link EncoderStats#windowed}
 * counts such sentences. A word with no word-piece at all (a character the tokenizer's normaliser
 * removes, e.g. a zero-width space) is encoded as the unknown token.
 *
 * <p><b>Batches.</b> The rows of one {@link #encode} call are sorted by length and cut into
 * forwards of similar length ({@link #plan}): a cut costs one more forward (about {@link
 * Options#forwardOverheadTokens} positions' worth of time: weights read from memory, per-op
 * overhead) and saves the padding of the shorter rows; the cuts minimise padded positions plus that
 * overhead per forward, each forward at most {@link Options#batchTokens} positions.
 *
 * <p><b>Threads.</b> Thread-safe, and calls run concurrently: the cache and the counters are
 * guarded by a lock that is never held during a forward; at most {@link Options#concurrentForwards}
 * forwards run at once (a semaphore), each with {@link Options#forwardThreads} libtorch intra-op
 * threads (set per calling thread, {@link IntraOpThreads}). The default split gives the cores to as
 * few concurrent forwards as the process's intra-op setting allows: {@code forwardThreads} =
 * libtorch's configured count ({@code -Dai.djl.pytorch.num_threads}, DJL's default = the core
 * count) and {@code concurrentForwards} = cores / forwardThreads (at least 1); set one of them
 * (system properties {@code fewner.concurrentForwards}, {@code fewner.forwardThreads}, or the
 * options) and the other follows as cores / it. Two threads asking for the same uncached sentence
 * at once may both encode it (the cache keeps the later); each gets what one thread alone gets for
 * its call: the same batches give bit-identical vectors, while a sentence padded into a different
 * batch can differ in the last bits, as without threads. {@link EncoderStats#forwardSeconds} sums
 * the forwards of all callers.
 */
public final class BackboneWordEncoder implements WordEncoder {

    /**
     * Settings.
     *
     * @param layers layers to keep, HF numbering (0 = embedding output, {@code L} = last block)
     * @param keepLast also keep each word's last word-piece state (doubles the memory)
     * @param batchTokens at most this many padded positions ({@code B * T}) per forward pass
     * @param cacheBytes bound of the sentence cache in bytes (0 = no cache)
     * @param adapter LoRA adapter name loaded on the backbone, or null for the base model
     * @param maxLength positions per row, special tokens included; 0 = the model's {@code
     *     max_position_embeddings}
     * @param concurrentForwards forwards that may run at once on the shared backbone; 0 = system
     *     property {@code fewner.concurrentForwards}, else derived (class comment)
     * @param forwardThreads libtorch intra-op threads per forward; 0 = system property {@code
     *     fewner.forwardThreads}, else derived (class comment)
     * @param forwardOverheadTokens the cost of one more forward in padded positions, for cutting
     *     batches ({@link #plan}); 0 = never cut below {@code batchTokens} (one forward per {@code
     *     batchTokens} positions, the old rule)
     */
    public record Options(
            List<Integer> layers,
            boolean keepLast,
            int batchTokens,
            long cacheBytes,
            String adapter,
            int maxLength,
            int concurrentForwards,
            int forwardThreads,
            int forwardOverheadTokens) {
        /**
         * Default cost of one more forward in positions: BERT-base on 2 cores, time per forward ≈
         * 49 ms + 1.2 ms per position, i.e. one forward ≈ 40 positions; 32 keeps the padding of the
         * engine's calls under 15 % on CoNLL-2003 at a modelled cost within 1 % of 40's
         * (docs/performance.md). System property {@code fewner.forwardOverheadTokens}.
         */
        public static final int DEFAULT_FORWARD_OVERHEAD_TOKENS =
                Integer.getInteger("fewner.forwardOverheadTokens", 32);

        public Options {
            layers = List.copyOf(layers);
            if (layers.isEmpty()) throw new IllegalArgumentException("no layer requested");
            if (batchTokens < 1) throw new IllegalArgumentException("batchTokens < 1");
            if (concurrentForwards < 0) {
                throw new IllegalArgumentException("concurrentForwards < 0");
            }
            if (forwardThreads < 0) throw new IllegalArgumentException("forwardThreads < 0");
            if (forwardOverheadTokens < 0) {
                throw new IllegalArgumentException("forwardOverheadTokens < 0");
            }
        }

        /**
         * Layers {@code layers}, first word-pieces only, 4096 positions a batch, 1 GiB cache,
         * default thread split and batch cutting.
         */
        public static Options of(List<Integer> layers) {
            return new Options(
                    layers, false, 4096, 1L << 30, null, 0, 0, 0, DEFAULT_FORWARD_OVERHEAD_TOKENS);
        }

        public Options withKeepLast(boolean keep) {
            return new Options(
                    layers,
                    keep,
                    batchTokens,
                    cacheBytes,
                    adapter,
                    maxLength,
                    concurrentForwards,
                    forwardThreads,
                    forwardOverheadTokens);
        }

        public Options withCacheBytes(long bytes) {
            return new Options(
                    layers,
                    keepLast,
                    batchTokens,
                    bytes,
                    adapter,
                    maxLength,
                    concurrentForwards,
                    forwardThreads,
                    forwardOverheadTokens);
        }

        public Options withAdapter(String name) {
            return new Options(
                    layers,
                    keepLast,
                    batchTokens,
                    cacheBytes,
                    name,
                    maxLength,
                    concurrentForwards,
                    forwardThreads,
                    forwardOverheadTokens);
        }

        public Options withMaxLength(int length) {
            return new Options(
                    layers,
                    keepLast,
                    batchTokens,
                    cacheBytes,
                    adapter,
                    length,
                    concurrentForwards,
                    forwardThreads,
                    forwardOverheadTokens);
        }

        public Options withBatchTokens(int tokens) {
            return new Options(
                    layers,
                    keepLast,
                    tokens,
                    cacheBytes,
                    adapter,
                    maxLength,
                    concurrentForwards,
                    forwardThreads,
                    forwardOverheadTokens);
        }

        /** Concurrent forwards and intra-op threads per forward (0 = derived, class comment). */
        public Options withThreads(int concurrent, int perForward) {
            return new Options(
                    layers,
                    keepLast,
                    batchTokens,
                    cacheBytes,
                    adapter,
                    maxLength,
                    concurrent,
                    perForward,
                    forwardOverheadTokens);
        }

        public Options withForwardOverheadTokens(int overhead) {
            return new Options(
                    layers,
                    keepLast,
                    batchTokens,
                    cacheBytes,
                    adapter,
                    maxLength,
                    concurrentForwards,
                    forwardThreads,
                    overhead);
        }
    }

    private final Backbone backbone;
    private final boolean ownsBackbone;
    private final Options options;
    private final int hidden;
    private final int maxLength;
    private final long[] prefix;
    private final long[] suffix;
    private final long unkId;

    /** Guards the cache and the counters; never held during a forward. */
    private final Object lock = new Object();

    private final LinkedHashMap<List<String>, EncodedSentence> cache =
            new LinkedHashMap<>(1024, 0.75f, true);
    private long cacheBytes;

    /** Bounds the forwards running at once. */
    private final Semaphore forwards;

    private final int concurrentForwards;
    private final int forwardThreads;

    /** libtorch's process-wide intra-op count, restored after a forward; -1 = do not set. */
    private final int restoreThreads;

    private long requested;
    private long hits;
    private long encoded;
    private long windowed;
    private long windows;
    private long tokens;
    private long forwardNanos;

    /**
     * @param backbone the model (frozen: its weights must not change while this encoder lives)
     * @param options layers, batch and cache settings
     * @param ownsBackbone close the backbone with this encoder
     */
    public BackboneWordEncoder(Backbone backbone, Options options, boolean ownsBackbone) {
        this.backbone = backbone;
        this.options = options;
        this.ownsBackbone = ownsBackbone;
        this.hidden = backbone.config().hiddenSize();
        int top = backbone.config().numHiddenLayers();
        for (int l : options.layers()) {
            if (l < 0 || l > top) {
                throw new FewNerException(
                        "--layer "
                                + l
                                + ": the model has layers 0 (embeddings) to "
                                + top
                                + " (HF numbering)");
            }
        }
        int limit = backbone.config().maxPositionEmbeddings();
        this.maxLength = options.maxLength() > 0 ? Math.min(options.maxLength(), limit) : limit;
        ModelTokenizer tok = backbone.tokenizer();
        // The model's special tokens around one word, e.g. [CLS] a [SEP] for BERT.
        Encoding with = tok.hf().encode(new String[] {"a"}, true, false);
        long[] wordIds = with.getWordIds();
        long[] ids = with.getIds();
        int firstWord = -1;
        int lastWord = -1;
        for (int i = 0; i < ids.length; i++) {
            if (wordIds[i] == 0) {
                if (firstWord < 0) firstWord = i;
                lastWord = i;
            }
        }
        if (firstWord < 0) {
            throw new IllegalStateException(tok.source() + ": the tokenizer drops the word 'a'");
        }
        this.prefix = Arrays.copyOfRange(ids, 0, firstWord);
        this.suffix = Arrays.copyOfRange(ids, lastWord + 1, ids.length);
        Encoding unk = tok.hf().encode(new String[] {"[UNK]"}, false, false);
        this.unkId = unk.getIds().length == 1 ? unk.getIds()[0] : 0;
        if (maxLength - prefix.length - suffix.length < 1) {
            throw new IllegalArgumentException("model limit " + maxLength + " leaves no room");
        }
        boolean settable = IntraOpThreads.settable(backbone.device());
        int cores = Runtime.getRuntime().availableProcessors();
        int configured = settable ? IntraOpThreads.configured() : 1;
        int[] split =
                split(
                        cores,
                        configured,
                        positive(options.concurrentForwards(), "fewner.concurrentForwards"),
                        positive(options.forwardThreads(), "fewner.forwardThreads"));
        this.concurrentForwards = split[0];
        this.forwardThreads = settable ? split[1] : configured;
        // set per call only when it differs from the process's setting or forwards overlap
        this.restoreThreads =
                settable && (forwardThreads != configured || concurrentForwards > 1)
                        ? configured
                        : -1;
        this.forwards = new Semaphore(concurrentForwards, true);
    }

    private static int positive(int fromOptions, String property) {
        if (fromOptions > 0) return fromOptions;
        Integer p = Integer.getInteger(property);
        if (p != null && p < 1) {
            throw new FewNerException("-D" + property + "=" + p + ": must be at least 1");
        }
        return p == null ? 0 : p;
    }

    /**
     * The split of {@code cores} between concurrent forwards and intra-op threads per forward.
     *
     * @param configured libtorch's intra-op count for the process
     * @param concurrent asked for, 0 = derive
     * @param perForward asked for, 0 = derive
     * @return {concurrent forwards, threads per forward}
     */
    static int[] split(int cores, int configured, int concurrent, int perForward) {
        if (concurrent > 0 && perForward > 0) return new int[] {concurrent, perForward};
        if (concurrent > 0) return new int[] {concurrent, Math.max(1, cores / concurrent)};
        int threads = perForward > 0 ? perForward : Math.max(1, configured);
        return new int[] {Math.max(1, cores / threads), threads};
    }

    /** Forwards that may run at once. */
    public int concurrentForwards() {
        return concurrentForwards;
    }

    /** libtorch intra-op threads per forward. */
    public int forwardThreads() {
        return forwardThreads;
    }

    @Override
    public int hiddenSize() {
        return hidden;
    }

    @Override
    public List<Integer> layers() {
        return options.layers();
    }

    /** The positions per row, special tokens included. */
    public int maxLength() {
        return maxLength;
    }

    @Override
    public EncoderStats stats() {
        synchronized (lock) {
            return new EncoderStats(
                    requested, hits, encoded, windowed, windows, tokens, forwardNanos / 1e9);
        }
    }

    /** What one call did, added to the counters at its end. */
    private static final class Tally {
        long encoded;
        long windowed;
        long windows;
        long tokens;
        long forwardNanos;
    }

    @Override
    public List<EncodedSentence> encode(List<WordSentence> sentences) {
        EncodedSentence[] out = new EncodedSentence[sentences.size()];
        Map<List<String>, List<Integer>> pending = new LinkedHashMap<>();
        synchronized (lock) {
            for (int i = 0; i < sentences.size(); i++) {
                requested++;
                List<String> key = sentences.get(i).words();
                EncodedSentence cached = cache.get(key);
                if (cached != null) {
                    hits++;
                    out[i] = cached;
                    continue;
                }
                List<Integer> waiting = pending.computeIfAbsent(key, k -> new ArrayList<>());
                if (!waiting.isEmpty()) hits++;
                waiting.add(i);
            }
        }
        if (!pending.isEmpty()) {
            List<List<String>> todo = new ArrayList<>(pending.keySet());
            Tally tally = new Tally();
            EncodedSentence[] done = run(todo, tally);
            for (int k = 0; k < todo.size(); k++) {
                for (int i : pending.get(todo.get(k))) out[i] = done[k];
            }
            synchronized (lock) {
                for (int k = 0; k < todo.size(); k++) remember(todo.get(k), done[k]);
                encoded += tally.encoded;
                windowed += tally.windowed;
                windows += tally.windows;
                tokens += tally.tokens;
                forwardNanos += tally.forwardNanos;
            }
        }
        return Arrays.asList(out);
    }

    private void remember(List<String> key, EncodedSentence value) {
        if (options.cacheBytes() <= 0) return;
        long size = value.bytes() + 48L * key.size();
        if (size > options.cacheBytes()) return;
        EncodedSentence old = cache.put(key, value);
        if (old != null) cacheBytes -= old.bytes() + 48L * key.size();
        cacheBytes += size;
        var it = cache.entrySet().iterator();
        while (cacheBytes > options.cacheBytes() && it.hasNext()) {
            var e = it.next();
            cacheBytes -= e.getValue().bytes() + 48L * e.getKey().size();
            it.remove();
        }
    }

    /** One model row: a whole sentence or one window of it. */
    private record Row(
            int index, int sentence, int from, int to, long[] ids, int[] firstPos, int[] lastPos) {}

    private EncodedSentence[] run(List<List<String>> todo, Tally tally) {
        int nl = options.layers().size();
        float[][][][] first = new float[todo.size()][][][];
        float[][][][] last = options.keepLast() ? new float[todo.size()][][][] : null;
        List<Row> rows = new ArrayList<>();
        // per sentence and word, the row that supplies its states
        int[][] owner = new int[todo.size()][];
        for (int s = 0; s < todo.size(); s++) {
            List<String> words = todo.get(s);
            first[s] = new float[nl][words.size()][];
            if (last != null) last[s] = new float[nl][words.size()][];
            owner[s] = new int[words.size()];
            if (words.isEmpty()) continue;
            long[][] pieces = pieces(words);
            List<int[]> spans = windows(pieces);
            if (spans.size() > 1) {
                tally.windowed++;
                tally.windows += spans.size();
            }
            int base = rows.size();
            for (int[] span : spans) rows.add(row(rows.size(), s, span[0], span[1], pieces));
            for (int w = 0; w < words.size(); w++) {
                int best = -1;
                int bestScore = Integer.MIN_VALUE;
                for (int k = 0; k < spans.size(); k++) {
                    int[] span = spans.get(k);
                    if (w < span[0] || w >= span[1]) continue;
                    int left = span[0] == 0 ? Integer.MAX_VALUE : w - span[0];
                    int right = span[1] == words.size() ? Integer.MAX_VALUE : span[1] - 1 - w;
                    int score = Math.min(left, right);
                    if (score > bestScore) {
                        bestScore = score;
                        best = k;
                    }
                }
                owner[s][w] = base + best;
            }
            tally.encoded++;
        }
        Integer[] order = new Integer[rows.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -rows.get(i).ids().length));
        int[] lengths = new int[order.length];
        for (int i = 0; i < order.length; i++) lengths[i] = rows.get(order[i]).ids().length;
        int at = 0;
        for (int b : cut(lengths, options.batchTokens(), options.forwardOverheadTokens())) {
            List<Row> batch = new ArrayList<>(b);
            for (int k = 0; k < b; k++) batch.add(rows.get(order[at + k]));
            forward(batch, lengths[at], first, last, owner, tally);
            at += b;
        }
        EncodedSentence[] result = new EncodedSentence[todo.size()];
        for (int s = 0; s < todo.size(); s++) {
            result[s] =
                    new EncodedSentence(options.layers(), first[s], last == null ? null : last[s]);
        }
        return result;
    }

    /**
     * Cuts rows sorted by length (longest first) into forwards: sizes {@code b_1, b_2, …} of
     * consecutive rows minimising {@code Σ (overhead + b_g · T_g)} ({@code T_g} = the group's
     * longest row), each group at most {@code batchTokens} positions (or one row). With {@code
     * overhead} 0 the old rule: as many rows as fit {@code batchTokens}.
     *
     * @param lengths row lengths, non-increasing
     * @return rows per forward, in order
     */
    static int[] cut(int[] lengths, int batchTokens, int overhead) {
        int n = lengths.length;
        List<Integer> sizes = new ArrayList<>();
        if (overhead <= 0) {
            for (int at = 0; at < n; ) {
                int b = Math.max(1, Math.min(n - at, batchTokens / lengths[at]));
                sizes.add(b);
                at += b;
            }
            return sizes.stream().mapToInt(Integer::intValue).toArray();
        }
        // best[i] = least cost of rows i..n-1; next[i] = size of the group starting at i
        long[] best = new long[n + 1];
        int[] next = new int[n + 1];
        for (int i = n - 1; i >= 0; i--) {
            int t = lengths[i];
            int most = Math.max(1, Math.min(n - i, batchTokens / t));
            best[i] = Long.MAX_VALUE;
            for (int b = 1; b <= most; b++) {
                long c = overhead + (long) b * t + best[i + b];
                if (c < best[i]) {
                    best[i] = c;
                    next[i] = b;
                }
            }
        }
        for (int at = 0; at < n; at += next[at]) sizes.add(next[at]);
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The forwards {@link #encode} would run for these sentences (nothing cached, each distinct
     * sentence once), without running them: one {@code {rows, length, real tokens}} per forward.
     * For benchmarks and the batching histogram.
     */
    public List<int[]> plan(List<List<String>> sentences) {
        List<Integer> lens = new ArrayList<>();
        for (List<String> words : new java.util.LinkedHashSet<>(sentences)) {
            if (words.isEmpty()) continue;
            long[][] pieces = pieces(words);
            for (int[] span : windows(pieces)) {
                int n = prefix.length + suffix.length;
                for (int w = span[0]; w < span[1]; w++) n += pieces[w].length;
                lens.add(n);
            }
        }
        int[] lengths =
                lens.stream()
                        .sorted(Comparator.reverseOrder())
                        .mapToInt(Integer::intValue)
                        .toArray();
        List<int[]> out = new ArrayList<>();
        int at = 0;
        for (int b : cut(lengths, options.batchTokens(), options.forwardOverheadTokens())) {
            int real = 0;
            for (int k = 0; k < b; k++) real += lengths[at + k];
            out.add(new int[] {b, lengths[at], real});
            at += b;
        }
        return out;
    }

    private void forward(
            List<Row> batch,
            int t,
            float[][][][] first,
            float[][][][] last,
            int[][] owner,
            Tally tally) {
        int b = batch.size();
        long[][] ids = new long[b][t];
        long[][] mask = new long[b][t];
        for (int r = 0; r < b; r++) {
            long[] row = batch.get(r).ids();
            System.arraycopy(row, 0, ids[r], 0, row.length);
            Arrays.fill(mask[r], 0, row.length, 1L);
            tally.tokens += row.length;
        }
        forwards.acquireUninterruptibly();
        long start = System.nanoTime();
        try {
            if (restoreThreads < 0) {
                forward(batch, t, ids, mask, first, last, owner);
            } else {
                IntraOpThreads.call(
                        forwardThreads,
                        restoreThreads,
                        () -> {
                            forward(batch, t, ids, mask, first, last, owner);
                            return null;
                        });
            }
        } finally {
            tally.forwardNanos += System.nanoTime() - start;
            forwards.release();
        }
    }

    private void forward(
            List<Row> batch,
            int t,
            long[][] ids,
            long[][] mask,
            float[][][][] first,
            float[][][][] last,
            int[][] owner) {
        int b = batch.size();
        try (NDManager manager = backbone.manager().newSubManager()) {
            BackboneOutput out =
                    backbone instanceof BertModel bert
                            ? bert.forward(manager, ids, mask, options.adapter(), false)
                            : backbone.forward(manager, ids, mask, options.adapter());
            for (int li = 0; li < options.layers().size(); li++) {
                float[] h = out.hidden(options.layers().get(li)).toFloatArray();
                for (int r = 0; r < b; r++) {
                    Row row = batch.get(r);
                    int s = row.sentence();
                    for (int w = row.from(); w < row.to(); w++) {
                        if (owner[s][w] != row.index()) continue;
                        int k = w - row.from();
                        first[s][li][w] = slice(h, (r * t + row.firstPos()[k]) * hidden);
                        if (last != null) {
                            last[s][li][w] = slice(h, (r * t + row.lastPos()[k]) * hidden);
                        }
                    }
                }
            }
        }
    }

    private float[] slice(float[] h, int from) {
        return Arrays.copyOfRange(h, from, from + hidden);
    }

    private Row row(int index, int sentence, int from, int to, long[][] pieces) {
        int n = prefix.length + suffix.length;
        for (int w = from; w < to; w++) n += pieces[w].length;
        long[] ids = new long[n];
        int[] firstPos = new int[to - from];
        int[] lastPos = new int[to - from];
        System.arraycopy(prefix, 0, ids, 0, prefix.length);
        int p = prefix.length;
        for (int w = from; w < to; w++) {
            firstPos[w - from] = p;
            System.arraycopy(pieces[w], 0, ids, p, pieces[w].length);
            p += pieces[w].length;
            lastPos[w - from] = p - 1;
        }
        System.arraycopy(suffix, 0, ids, p, suffix.length);
        return new Row(index, sentence, from, to, ids, firstPos, lastPos);
    }

    /** The word-piece ids of each word (a word the tokenizer drops becomes the unknown token). */
    long[][] pieces(List<String> words) {
        Encoding e = backbone.tokenizer().hf().encode(words.toArray(String[]::new), false, false);
        long[] ids = e.getIds();
        long[] wordIds = e.getWordIds();
        int[] count = new int[words.size()];
        for (long w : wordIds) {
            if (w >= 0) count[(int) w]++;
        }
        long[][] pieces = new long[words.size()][];
        for (int w = 0; w < pieces.length; w++) {
            pieces[w] = count[w] == 0 ? new long[] {unkId} : new long[count[w]];
        }
        int[] fill = new int[words.size()];
        for (int i = 0; i < ids.length; i++) {
            int w = (int) wordIds[i];
            if (w >= 0) pieces[w][fill[w]++] = ids[i];
        }
        return pieces;
    }

    /**
     * Word windows {@code [from, to)} whose pieces fit one row; one window when the sentence fits.
     */
    List<int[]> windows(long[][] pieces) {
        int limit = maxLength - prefix.length - suffix.length;
        List<int[]> spans = new ArrayList<>();
        int n = pieces.length;
        int start = 0;
        while (true) {
            int end = start;
            int used = 0;
            while (end < n && used + pieces[end].length <= limit) {
                used += pieces[end].length;
                end++;
            }
            if (end == start) {
                throw new FewNerException(
                        "word "
                                + (start + 1)
                                + " alone has "
                                + pieces[start].length
                                + " word-pieces, more than the model's limit of "
                                + limit);
            }
            spans.add(new int[] {start, end});
            if (end == n) return spans;
            int next = end;
            int overlap = 0;
            while (next - 1 > start && overlap + pieces[next - 1].length <= limit / 2) {
                overlap += pieces[next - 1].length;
                next--;
            }
            start = Math.max(next, start + 1);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            cache.clear();
        }
        if (ownsBackbone) backbone.close();
    }
}
