package org.fewner.llm.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.fewner.common.Json;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.decoder.RandomModelWriter;
import org.fewner.llm.tokenizer.ModelTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: whatever the logits (random, or from random small decoders), constrained generation
 * yields an answer whose decoded text maps back to input spans at word boundaries, in order,
 * exactly where the automaton says.
 */
class ConstrainedSearchPropertyTest {
    static final PromptTemplate T = PromptTemplate.DEFAULT;
    static final List<String> PIECES =
            List.of(
                    "New",
                    "York",
                    "new",
                    "york",
                    "Paris",
                    "Parisian",
                    "Dr.",
                    "Smith",
                    ",",
                    ".",
                    "(",
                    ")",
                    "'s",
                    "U.S.",
                    "Москва",
                    "Санкт-Петербург",
                    "北京",
                    "上海",
                    "。",
                    "🗽",
                    "❤️",
                    "2024",
                    "-",
                    "a",
                    "the",
                    "St.",
                    "Louis",
                    ">>>",
                    "<<<",
                    "none",
                    "éclair",
                    "naïve");
    static ModelTokenizer smol;

    static synchronized ModelTokenizer smol() {
        if (smol == null) {
            String shared = System.getProperty("fewner.shared");
            Path tok =
                    shared == null
                            ? null
                            : Path.of(shared, "models/smollm2-135m-tokenizer/tokenizer.json");
            if (tok != null && Files.isRegularFile(tok)) {
                smol = ModelTokenizer.load(tok);
            }
        }
        return smol;
    }

    /** Fails the case with a skip when the SmolLM2 tokenizer is not under -Dfewner.shared. */
    static ModelTokenizer needSmol() {
        ModelTokenizer tok = smol();
        assumeTrue(
                tok != null,
                "skipped: SmolLM2 tokenizer not found under -Dfewner.shared ("
                        + System.getProperty("fewner.shared")
                        + ")");
        return tok;
    }

    @AfterAll
    static void close() {
        if (smol != null) {
            smol.close();
        }
    }

    /**
     * One random case: a text of 0..12 pieces with random separators, and the search settings.
     * Cases come from a fixed seed, so a failure names a case that reruns identically.
     */
    record Case(int index, String text, int beams, int layers, int kvHeads, long seed) {
        @Override
        public String toString() {
            return "#" + index + " beams=" + beams + " seed=" + seed + " text=" + Json.line(text);
        }
    }

    static final List<String> SEPARATORS = List.of(" ", " ", " ", "", "  ", "\n");

    static Stream<Case> cases(long seed, int n, int maxBeams) {
        Random rnd = new Random(seed);
        return IntStream.range(0, n)
                .mapToObj(
                        i -> {
                            int pieces = rnd.nextInt(13);
                            StringBuilder b = new StringBuilder();
                            for (int k = 0; k < pieces; k++) {
                                b.append(PIECES.get(rnd.nextInt(PIECES.size())))
                                        .append(SEPARATORS.get(rnd.nextInt(SEPARATORS.size())));
                            }
                            return new Case(
                                    i,
                                    b.toString(),
                                    1 + rnd.nextInt(maxBeams),
                                    1 + rnd.nextInt(2),
                                    1 + rnd.nextInt(3),
                                    rnd.nextLong());
                        });
    }

    static Stream<Case> charCases() {
        return cases(0x5eed_0001L, 200, 3);
    }

    static Stream<Case> smolCases() {
        return cases(0x5eed_0002L, 100, 3);
    }

    static Stream<Case> modelCases() {
        return cases(0x5eed_0003L, 8, 2);
    }

    /** Random logits, reproducible per seed. */
    static final class RandomLogits implements StepModel {
        private final Random random;
        private final int vocab;
        private final long boost;

        /**
         * @param boost a token id given a large logit everywhere (e.g. EOS), or -1
         */
        RandomLogits(long seed, int vocab, long boost) {
            this.random = new Random(seed);
            this.vocab = vocab;
            this.boost = boost;
        }

        float[] row() {
            float[] r = new float[vocab];
            for (int i = 0; i < vocab; i++) {
                r[i] = (float) (random.nextGaussian() * 3);
            }
            if (boost >= 0) {
                r[(int) boost] += 2;
            }
            return r;
        }

        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public float[] prefill(long[] prompt) {
            return row();
        }

        @Override
        public float[][] step(int[] parents, long[] tokens) {
            float[][] out = new float[parents.length][];
            for (int i = 0; i < out.length; i++) {
                out[i] = row();
            }
            return out;
        }
    }

    static void checkAnswer(
            ConstrainedSearch.Result r,
            String text,
            Words words,
            TokenEncoder enc,
            java.util.function.Function<long[], String> decode) {
        int next = 0;
        for (Span s : r.spans()) {
            assertTrue(
                    s.firstWord() >= next && s.lastWord() >= s.firstWord(),
                    "spans in order: " + r.spans());
            assertEquals(words.starts()[s.firstWord()], s.start());
            assertEquals(words.ends()[s.lastWord()], s.end());
            assertEquals(text.substring(s.start(), s.end()), s.text());
            next = s.lastWord() + 1;
        }
        if (r.finished()) {
            long[] body = Arrays.copyOf(r.tokens(), r.tokens().length - 1);
            String answer = decode.apply(body);
            assertEquals(
                    r.spans(),
                    AnswerParser.parse(answer, text, words, T),
                    "answer '" + answer + "'");
            // and re-encoding the answer text gives tokens the automaton accepts
            ConstraintState s = new SpanConstraint(text, words, enc, T, new long[] {0}, 4).start();
            assertTrue(
                    r.spans().isEmpty() ? answer.equals(T.none()) : answer.startsWith(T.open()),
                    answer);
            assertTrue(s.allowed().length > 0);
        }
    }

    /**
     * Guards the properties against passing vacuously: random logits do produce multi-span answers.
     */
    @Test
    void randomLogitsProduceSeveralSpansOften() {
        TokenEncoder enc = s -> s.chars().asLongStream().toArray();
        String text = "Dr. Smith met Dr. Jones in St. Louis , Mo. and New York .";
        Words words = Words.split(text);
        int multi = 0;
        int finished = 0;
        for (long seed = 0; seed < 40; seed++) {
            SpanConstraint c = new SpanConstraint(text, words, enc, T, new long[] {0}, 4);
            ConstrainedSearch.Result r =
                    ConstrainedSearch.run(
                            new RandomLogits(seed, 70000, -1), new long[] {1}, c, 1, 200);
            checkAnswer(
                    r,
                    text,
                    words,
                    enc,
                    ids ->
                            new String(
                                    Arrays.stream(ids).mapToInt(i -> (int) i).toArray(),
                                    0,
                                    ids.length));
            multi += r.spans().size() >= 2 ? 1 : 0;
            finished += r.finished() ? 1 : 0;
        }
        assertTrue(multi >= 5, "answers with >= 2 spans: " + multi);
        assertTrue(finished >= 20, "finished answers: " + finished);
    }

    @ParameterizedTest
    @MethodSource("charCases")
    void charTokenizerRandomLogits(Case k) {
        String text = k.text();
        int beams = k.beams();
        long seed = k.seed();
        TokenEncoder enc = s -> s.chars().asLongStream().toArray();
        Words words = Words.split(text);
        SpanConstraint c = new SpanConstraint(text, words, enc, T, new long[] {0}, 4);
        ConstrainedSearch.Result r =
                ConstrainedSearch.run(
                        new RandomLogits(seed, 70000, 0), new long[] {1}, c, beams, 80);
        checkAnswer(
                r,
                text,
                words,
                enc,
                ids ->
                        new String(
                                Arrays.stream(ids).mapToInt(i -> (int) i).toArray(),
                                0,
                                ids.length));
    }

    @ParameterizedTest
    @MethodSource("smolCases")
    void smolTokenizerRandomLogits(Case k) {
        ModelTokenizer tok = needSmol();
        String text = k.text();
        int beams = k.beams();
        long seed = k.seed();
        TokenEncoder enc = TokenEncoder.of(tok);
        Words words = Words.split(text);
        SpanConstraint c = new SpanConstraint(text, words, enc, T, new long[] {2}, 4);
        ConstrainedSearch.Result r =
                ConstrainedSearch.run(
                        new RandomLogits(seed, 49152, 2), new long[] {1}, c, beams, 60);
        checkAnswer(r, text, words, enc, ids -> tok.decode(ids, true));
    }

    @ParameterizedTest
    @MethodSource("modelCases")
    void smolTokenizerRandomSmallModels(Case k) throws IOException {
        ModelTokenizer tok = needSmol();
        String text = k.text();
        int layers = k.layers();
        int kvHeads = k.kvHeads();
        int beams = k.beams();
        long seed = k.seed();
        ObjectNode cfg = Json.MAPPER.createObjectNode();
        cfg.put("model_type", "llama");
        cfg.put("vocab_size", 49152);
        cfg.put("hidden_size", 12 * kvHeads);
        cfg.put("intermediate_size", 24);
        cfg.put("num_hidden_layers", layers);
        cfg.put("num_attention_heads", 2 * kvHeads);
        cfg.put("num_key_value_heads", kvHeads);
        cfg.put("max_position_embeddings", 512);
        cfg.put("tie_word_embeddings", seed % 2 == 0);
        cfg.put("initializer_range", 0.3);
        cfg.put("eos_token_id", 2);
        Path dir = Files.createTempDirectory("fewner-prop");
        try {
            RandomModelWriter.write(cfg, seed, true, dir, null);
            Words words = Words.split(text);
            TokenEncoder enc = TokenEncoder.of(tok);
            SpanConstraint c = new SpanConstraint(text, words, enc, T, new long[] {2}, 4);
            long[] prompt = tok.encode(T.render("person", null, text), false).ids();
            try (DecoderModel m = DecoderModel.load(dir, Device.cpu());
                    DecoderStepModel sm = new DecoderStepModel(m, null)) {
                ConstrainedSearch.Result r = ConstrainedSearch.run(sm, prompt, c, beams, 24);
                checkAnswer(r, text, words, enc, ids -> tok.decode(ids, true));
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
