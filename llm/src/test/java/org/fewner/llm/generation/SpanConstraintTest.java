package org.fewner.llm.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.fewner.common.FewNerException;
import org.fewner.llm.tokenizer.ModelTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The span automaton on hand-worked examples: a character-level fake tokenizer, then the real
 * SmolLM2 one.
 */
class SpanConstraintTest {
    static final PromptTemplate T = PromptTemplate.DEFAULT;

    /** One token per UTF-16 char; EOS = 0. */
    static final TokenEncoder CHARS = s -> s.chars().asLongStream().toArray();

    static ModelTokenizer smol;

    @BeforeAll
    static void loadTokenizer() {
        String shared = System.getProperty("fewner.shared");
        Path tok =
                shared == null
                        ? null
                        : Path.of(shared, "models/smollm2-135m-tokenizer/tokenizer.json");
        if (tok != null && Files.isRegularFile(tok)) {
            smol = ModelTokenizer.load(tok);
        }
    }

    @AfterAll
    static void close() {
        if (smol != null) {
            smol.close();
        }
    }

    /** Feeds a token sequence; fails if any token is not allowed. */
    static ConstraintState walk(SpanConstraint c, long[] tokens) {
        ConstraintState s = c.start();
        for (long t : tokens) {
            assertTrue(s.allows(t), "token " + t + " not allowed in " + s);
            s = s.next(t);
        }
        return s;
    }

    static long[] cat(long[]... parts) {
        return Arrays.stream(parts).flatMapToLong(Arrays::stream).toArray();
    }

    @Test
    void repeatedWordsMapToSuccessiveOccurrences() {
        String text = "New York and New Delhi";
        SpanConstraint c = new SpanConstraint(text, Words.split(text), CHARS, T, new long[] {0}, 4);
        long[] answer = cat(CHARS.encode(T.answer(List.of("New", "New Delhi"))), new long[] {0});
        ConstraintState s = walk(c, answer);
        assertTrue(s.isDone());
        assertEquals(
                List.of(new Span(0, 0, 0, 3, "New"), new Span(3, 4, 13, 22, "New Delhi")),
                s.spans());
        assertEquals(0, s.allowed().length);
    }

    @Test
    void spansMustComeInOrderWithoutOverlap() {
        String text = "New York and New Delhi";
        SpanConstraint c = new SpanConstraint(text, Words.split(text), CHARS, T, new long[] {0}, 4);
        ConstraintState s = walk(c, CHARS.encode(T.answer(List.of("Delhi"))));
        // after "Delhi" (the last word) nothing can open: only the end token
        assertArrayEquals(new long[] {0}, s.allowed());
        ConstraintState y = walk(c, CHARS.encode(T.answer(List.of("York")) + " <<< "));
        assertFalse(y.allows('Y'), "York cannot be taken twice");
        assertFalse(
                y.allows('N') && walk(c, CHARS.encode(T.answer(List.of("New York")))).allows('x'));
        assertTrue(y.allows('a') && y.allows('N') && y.allows('D'));
    }

    @Test
    void spansEndOnWordBoundaries() {
        String text = "Parisian cafés";
        SpanConstraint c = new SpanConstraint(text, Words.split(text), CHARS, T, new long[] {0}, 3);
        ConstraintState s = walk(c, CHARS.encode(" <<< Paris"));
        assertFalse(s.allows(' '), "'Paris' is not a word of the input");
        assertArrayEquals(new long[] {'i'}, s.allowed());
    }

    @Test
    void noneIsTheWholeAnswerOnly() {
        String text = "nothing here";
        SpanConstraint c = new SpanConstraint(text, Words.split(text), CHARS, T, new long[] {0}, 3);
        ConstraintState s = walk(c, CHARS.encode(" none"));
        assertArrayEquals(new long[] {0}, s.allowed());
        s = s.next(0);
        assertTrue(s.isDone());
        assertEquals(List.of(), s.spans());
        assertFalse(c.start().allows(0), "an empty answer is not allowed");
    }

    @Test
    void emptyInputAllowsOnlyNone() {
        SpanConstraint c = new SpanConstraint("  ", Words.split("  "), CHARS, T, new long[] {0}, 3);
        assertArrayEquals(new long[] {' '}, c.start().allowed());
        ConstraintState s = walk(c, CHARS.encode(" n"));
        assertArrayEquals(new long[] {'o'}, s.allowed());
    }

    @Test
    void aDisallowedTokenIsAClearError() {
        SpanConstraint c =
                new SpanConstraint("a b", Words.split("a b"), CHARS, T, new long[] {0}, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> c.start().next('x'));
        assertTrue(e.getMessage().contains("not allowed"));
        assertThrows(
                FewNerException.class,
                () -> new SpanConstraint("a", Words.split("a"), CHARS, T, new long[0], 3));
    }

    @Test
    void aMarkerInsideTheInputIsStillUnambiguous() {
        // the close marker's text also continues a span: both paths stay open until the tokens
        // decide
        String text = "a >>> b";
        SpanConstraint c = new SpanConstraint(text, Words.split(text), CHARS, T, new long[] {0}, 5);
        ConstraintState s = walk(c, CHARS.encode(" <<< a >>>"));
        assertTrue(s.allows(0), "closed after 'a'");
        assertTrue(s.allows(' '));
        ConstraintState longer = walk(c, CHARS.encode(" <<< a >>> b >>>"));
        assertTrue(longer.allows(0));
        assertEquals("a >>> b", longer.next(0).spans().get(0).text());
        assertEquals("a", s.next(0).spans().get(0).text());
    }

    // ---- real byte-level BPE tokenizer ----

    private SpanConstraint real(String text) {
        assumeTrue(smol != null, "skipped: SmolLM2 tokenizer not found under -Dfewner.shared");
        return new SpanConstraint(
                text, Words.split(text), TokenEncoder.of(smol), T, new long[] {2}, 6);
    }

    /** Walks the answer as the tokenizer encodes the whole answer string, then checks the spans. */
    private void roundTrip(String text, List<String> spans) {
        SpanConstraint c = real(text);
        long[] answer = cat(smol.encode(T.answer(spans), false).ids(), new long[] {2});
        ConstraintState s = walk(c, answer);
        assertTrue(s.isDone());
        List<String> got = new ArrayList<>();
        for (Span sp : s.spans()) {
            assertEquals(text.substring(sp.start(), sp.end()), sp.text());
            got.add(sp.text());
        }
        assertEquals(spans, got);
        String decoded = smol.decode(Arrays.copyOf(answer, answer.length - 1), true);
        assertEquals(s.spans(), AnswerParser.parse(decoded, text, Words.split(text), T));
    }

    @Test
    void wordStartTokenisationDiffersFromMidWord() {
        SpanConstraint c = real("Paris and Parisian");
        long[] atStart = smol.encode(" Paris", false).ids();
        long[] bare = smol.encode("Paris", false).ids();
        assertNotEquals(
                Arrays.toString(atStart),
                Arrays.toString(bare),
                "byte-level BPE: ' Paris' != 'Paris'");
        ConstraintState s = walk(c, smol.encode(" <<<", false).ids());
        assertTrue(s.allows(atStart[0]));
        assertFalse(
                s.allows(bare[0]) && bare[0] != atStart[0],
                "span tokens are the leading-space form");
        roundTrip("Paris and Parisian", List.of("Paris", "Parisian"));
    }

    @Test
    void punctuationRepeatsAndNonLatinText() {
        roundTrip(
                "Dr. Smith met Dr. Jones in St. Louis, Mo.",
                List.of("Dr. Smith", "Dr. Jones", "St. Louis, Mo."));
        roundTrip(
                "Москва и Санкт-Петербург — города России.",
                List.of("Москва", "Санкт-Петербург", "России"));
        roundTrip("我住在北京，他住在上海。", List.of("北京", "上海"));
        roundTrip("I ❤️ New York 🗽 and new york", List.of("❤️", "New York 🗽", "york"));
        roundTrip("(IBM) bought Red Hat's unit.", List.of("(IBM)", "Red Hat's"));
    }
}
