package org.fewner.uimaannotator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adaptations on the shared model: one per support set however many callers ask at once, and a slow
 * one never holds up callers of another support set.
 */
class SharedModelAdaptTest {
    @TempDir Path tmp;

    static final AtomicInteger ADAPTED = new AtomicInteger();
    static volatile CountDownLatch entered = new CountDownLatch(1);
    static volatile CountDownLatch release = new CountDownLatch(0);

    /** Adapting a support set whose first word is "slow" waits for {@link #release}. */
    static final class Slow implements FewShotMethods.Provider {
        @Override
        public String name() {
            return "test-slow-adapt";
        }

        @Override
        public String description() {
            return "test: adapting waits on a latch for support sets starting with 'slow'";
        }

        @Override
        public FewShotMethod create(MethodOptions options) {
            return new FewShotMethod() {
                @Override
                public String name() {
                    return "test-slow-adapt";
                }

                @Override
                public Recognizer adapt(SupportSet support, long seed) {
                    ADAPTED.incrementAndGet();
                    if (support.sentences().get(0).sentence().words().get(0).equals("slow")) {
                        entered.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    if (support.types().contains("BAD")) {
                        throw new IllegalStateException("cannot adapt to BAD");
                    }
                    return sentences ->
                            sentences.stream()
                                    .map(s -> List.<org.fewner.ner.ScoredMention>of())
                                    .toList();
                }

                @Override
                public void close() {}
            };
        }
    }

    static SupportSet support(String first, String label) {
        return new SupportSet(
                List.of(label),
                List.of(
                        new LabeledSentence(
                                new WordSentence("s", List.of(first, "x")),
                                List.of(new Mention(1, 2, label)))));
    }

    @Test
    void aSlowAdaptationHoldsUpOnlyItsOwnSupportSet() throws Exception {
        FewShotMethods.register(new Slow());
        SharedModel model =
                SharedModel.acquire(TinyModels.bert(tmp.resolve("tiny"), 16, 32, 2).toString());
        try {
            entered = new CountDownLatch(1);
            release = new CountDownLatch(1);
            ADAPTED.set(0);
            String m = "test-slow-adapt";
            CompletableFuture<FewShotMethod.Recognizer> slow1 =
                    CompletableFuture.supplyAsync(
                            () -> model.recognizer(m, null, Map.of(), support("slow", "A"), 1));
            assertTrue(entered.await(30, TimeUnit.SECONDS), "the slow adaptation started");
            CompletableFuture<FewShotMethod.Recognizer> slow2 =
                    CompletableFuture.supplyAsync(
                            () -> model.recognizer(m, null, Map.of(), support("slow", "A"), 1));
            // another support set is adapted while the slow one still runs
            FewShotMethod.Recognizer fast =
                    CompletableFuture.supplyAsync(
                                    () ->
                                            model.recognizer(
                                                    m, null, Map.of(), support("fast", "A"), 1))
                            .get(20, TimeUnit.SECONDS);
            assertTrue(fast != null);
            assertTrue(!slow1.isDone() && !slow2.isDone(), "the slow one still waits");
            release.countDown();
            assertSame(slow1.get(30, TimeUnit.SECONDS), slow2.get(30, TimeUnit.SECONDS));
            assertEquals(2, ADAPTED.get(), "one adaptation per support set");
            // a failure reaches its caller and is not cached
            assertThrows(
                    IllegalStateException.class,
                    () -> model.recognizer(m, null, Map.of(), support("x", "BAD"), 1));
            assertThrows(
                    IllegalStateException.class,
                    () -> model.recognizer(m, null, Map.of(), support("x", "BAD"), 1));
            assertEquals(4, ADAPTED.get());
        } finally {
            release.countDown();
            model.release();
        }
    }
}
