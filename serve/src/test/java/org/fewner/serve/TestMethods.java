package org.fewner.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.fewner.uimaannotator.FewShotMethodProvider;
import org.fewner.uimaannotator.SharedModel;

/**
 * Test methods: {@code test-failing} (no mentions; a sentence with the word {@code boom} makes it
 * throw, an internal failure) and {@code test-blocking} (adapting waits on {@link #release}, so a
 * training can be held running).
 */
public final class TestMethods implements FewShotMethodProvider {
    static volatile CountDownLatch entered = new CountDownLatch(1);
    static volatile CountDownLatch release = new CountDownLatch(0);

    @Override
    public Set<String> names() {
        return Set.of("test-failing", "test-blocking");
    }

    @Override
    public FewShotMethod create(
            String name, SharedModel model, String adapter, Map<String, String> options) {
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
