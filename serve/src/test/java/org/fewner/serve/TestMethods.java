package org.fewner.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;

/**
 * Test methods in the registry ({@link FewShotMethods}, this module's test services file): {@code
 * test-failing} (no mentions; a sentence with the word {@code boom} makes it throw, an internal
 * failure) and {@code test-blocking} (adapting waits on {@link #release}, so a training can be held
 * running).
 */
public final class TestMethods {
    static volatile CountDownLatch entered = new CountDownLatch(1);
    static volatile CountDownLatch release = new CountDownLatch(0);

    private TestMethods() {}

    /** {@code test-failing}. */
    public static final class Failing implements FewShotMethods.Provider {
        @Override
        public String name() {
            return "test-failing";
        }

        @Override
        public String description() {
            return "test: no mentions; the word 'boom' makes it throw";
        }

        @Override
        public FewShotMethod create(MethodOptions options) {
            return method(name());
        }
    }

    /** {@code test-blocking}. */
    public static final class Blocking implements FewShotMethods.Provider {
        @Override
        public String name() {
            return "test-blocking";
        }

        @Override
        public String description() {
            return "test: adapting waits until released";
        }

        @Override
        public FewShotMethod create(MethodOptions options) {
            return method(name());
        }
    }

    static FewShotMethod method(String name) {
        return new FewShotMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Recognizer adapt(SupportSet support, long seed) {
                if (name.equals("test-blocking")) {
                    entered.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return sentences -> {
                    List<List<ScoredMention>> out = new ArrayList<>();
                    for (WordSentence s : sentences) {
                        if (s.words().contains("boom")) {
                            throw new IllegalStateException("test failure on 'boom'");
                        }
                        out.add(List.of());
                    }
                    return out;
                };
            }

            @Override
            public void close() {}
        };
    }
}
