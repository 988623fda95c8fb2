package org.fewner.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.fewner.ner.Mention;
import org.fewner.readers.TagScheme;
import org.junit.jupiter.api.Test;

/** Hand-worked chunking and span-matching examples. */
class ScoringTest {
    static Mention m(int s, int e, String l) {
        return new Mention(s, e, l);
    }

    static List<Mention> chunks(TagScheme scheme, String... labels) throws Exception {
        return Chunks.of(List.of(labels), scheme);
    }

    @Test
    void iob1AndIob2GiveTheSameEntities() throws Exception {
        // IOB1: B- only where an entity directly follows one of the same type
        List<Mention> iob1 = chunks(TagScheme.BIO, "I-PER", "I-PER", "B-PER", "O", "I-LOC");
        List<Mention> iob2 = chunks(TagScheme.BIO, "B-PER", "I-PER", "B-PER", "O", "B-LOC");
        List<Mention> expected = List.of(m(0, 2, "PER"), m(2, 3, "PER"), m(4, 5, "LOC"));
        assertEquals(expected, iob1);
        assertEquals(expected, iob2);
    }

    @Test
    void conllevalStartsAChunkAtAnITagOfAnotherType() throws Exception {
        assertEquals(
                List.of(m(0, 1, "PER"), m(1, 2, "LOC"), m(3, 4, "ORG")),
                chunks(TagScheme.BIO, "B-PER", "I-LOC", "O", "I-ORG"));
    }

    @Test
    void adjacentSameTypeEntitiesMergeInIoButNotInBio() throws Exception {
        assertEquals(List.of(m(0, 3, "PER")), chunks(TagScheme.IO, "PER", "PER", "PER", "O"));
        assertEquals(
                List.of(m(0, 2, "PER"), m(2, 3, "PER")),
                chunks(TagScheme.BIO, "B-PER", "I-PER", "B-PER", "O"));
        // IO: adjacent entities of different types stay apart
        assertEquals(
                List.of(m(0, 1, "person-actor"), m(1, 2, "location-GPE")),
                chunks(TagScheme.IO, "person-actor", "location-GPE"));
    }

    @Test
    void entitiesAtTheSentenceEnd() throws Exception {
        assertEquals(List.of(m(1, 3, "ORG")), chunks(TagScheme.BIO, "O", "B-ORG", "I-ORG"));
        assertEquals(List.of(m(2, 3, "ORG")), chunks(TagScheme.IO, "O", "O", "ORG"));
    }

    @Test
    void exactMatchOfStartEndAndLabel() {
        List<Mention> gold = List.of(m(0, 2, "PER"), m(4, 5, "LOC"));
        // one right, one with the wrong type, one with a wrong boundary, one spurious
        List<Mention> pred = List.of(m(0, 2, "PER"), m(4, 5, "ORG"), m(6, 8, "LOC"));
        Counts c = Counts.of(gold, pred);
        assertEquals(new Counts(1, 2, 1), c);
        assertEquals(1.0 / 3, c.precision(), 1e-12);
        assertEquals(0.5, c.recall(), 1e-12);
        assertEquals(0.4, c.f1(), 1e-12);
        Map<String, Counts> by = Counts.byLabel(gold, pred);
        assertEquals(new Counts(1, 0, 0), by.get("PER"));
        assertEquals(new Counts(0, 1, 1), by.get("LOC"));
        assertEquals(new Counts(0, 1, 0), by.get("ORG"));
    }

    @Test
    void aDuplicatedPredictionCountsOnce() {
        assertEquals(
                new Counts(1, 1, 0),
                Counts.of(List.of(m(0, 1, "A")), List.of(m(0, 1, "A"), m(0, 1, "A"))));
    }

    @Test
    void emptyPredictionsAndEmptyGold() {
        Counts noPred = Counts.of(List.of(m(0, 1, "A"), m(2, 3, "B")), List.of());
        assertEquals(new Counts(0, 0, 2), noPred);
        assertEquals(0, noPred.precision());
        assertEquals(0, noPred.recall());
        assertEquals(0, noPred.f1());
        Counts noGold = Counts.of(List.of(), List.of(m(0, 1, "A")));
        assertEquals(new Counts(0, 1, 0), noGold);
        assertEquals(0, noGold.f1());
        assertEquals(Counts.ZERO, Counts.of(List.of(), List.of()));
    }

    @Test
    void fewNerdRuleSumsCountsOverAllQuerySentencesOfAllEpisodes() {
        Tally t = new Tally();
        // episode 0: sentence 1 tp 1 fp 1; sentence 2 nothing -> F1 = 2/3
        t.add("0", List.of(m(0, 1, "A")), List.of(m(0, 1, "A"), m(2, 3, "A")));
        t.add("0", List.of(), List.of());
        // episode 1: two misses -> F1 = 0
        t.add("1", List.of(m(0, 1, "B"), m(1, 2, "A")), List.of());
        assertEquals(new Counts(1, 1, 2), t.pooled());
        // pooled: P = 1/2, R = 1/3, F1 = 2 * (1/6) / (5/6) = 0.4 (not the mean of 66.7 and 0)
        assertEquals(0.4, t.pooled().f1(), 1e-12);
        Tally.Spread f1 = t.episodeF1();
        assertEquals(100.0 / 3, f1.mean(), 1e-9);
        // sample std of {66.67, 0}: |66.67 - 33.33| * sqrt(2) = 47.14
        assertEquals(Math.sqrt(2) * 100.0 / 3, f1.std(), 1e-9);
        @SuppressWarnings("unchecked")
        Map<String, Object> micro =
                (Map<String, Object>) t.summary(Tally.Aggregation.POOLED).get("micro");
        assertEquals(40.0, micro.get("f1"));
        assertEquals(50.0, micro.get("precision"));
        @SuppressWarnings("unchecked")
        Map<String, Object> mean =
                (Map<String, Object>) t.summary(Tally.Aggregation.MEAN_OVER_EPISODES).get("micro");
        assertEquals(33.3333, mean.get("f1"));
        assertEquals(3L, t.sentences());
    }
}
