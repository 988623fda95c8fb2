package org.fewner.readers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TagDecoderTest {

    private static List<String> tags(String s) {
        return Arrays.asList(s.split(" "));
    }

    private static List<Chunk> bio(String s) throws Exception {
        return TagDecoder.decodeBio(tags(s), false);
    }

    @Test
    void iob2Basics() throws Exception {
        // EU rejects German call to boycott British lamb .
        assertEquals(
                List.of(new Chunk(0, 1, "ORG"), new Chunk(2, 3, "MISC"), new Chunk(5, 6, "MISC")),
                bio("B-ORG O B-MISC O O B-MISC O O O"));
        assertEquals(List.of(new Chunk(0, 2, "PER")), bio("B-PER I-PER O"));
    }

    @Test
    void iob1StartsWithIAndUsesBOnlyBetweenSameTypeNeighbours() throws Exception {
        // IOB1: I-PER I-PER B-PER = two persons; I-LOC after O starts an entity.
        assertEquals(
                List.of(new Chunk(0, 2, "PER"), new Chunk(2, 3, "PER"), new Chunk(4, 6, "LOC")),
                bio("I-PER I-PER B-PER O I-LOC I-LOC"));
    }

    @Test
    void conllevalRuleForIAfterOtherType() throws Exception {
        // I-LOC after I-PER starts a new chunk; B-PER after B-PER too (adjacent same type).
        assertEquals(
                List.of(
                        new Chunk(0, 1, "PER"),
                        new Chunk(1, 3, "LOC"),
                        new Chunk(3, 4, "PER"),
                        new Chunk(4, 5, "PER")),
                bio("B-PER I-LOC I-LOC B-PER B-PER"));
        assertEquals(List.of(), bio("O O O"));
        assertEquals(List.of(new Chunk(2, 3, "X")), bio("O O I-X"));
    }

    @Test
    void strictIob2RejectsIStartingAnEntity() throws Exception {
        assertEquals(
                List.of(new Chunk(0, 2, "PER")), TagDecoder.decodeBio(tags("B-PER I-PER"), true));
        TagDecoder.TagException e =
                assertThrows(
                        TagDecoder.TagException.class,
                        () -> TagDecoder.decodeBio(tags("B-PER O I-PER"), true));
        assertEquals(2, e.token());
        assertTrue(e.getMessage().contains("strict IOB2"), e.getMessage());
        assertEquals(
                1,
                assertThrows(
                                TagDecoder.TagException.class,
                                () -> TagDecoder.decodeBio(tags("B-PER I-LOC"), true))
                        .token());
        assertEquals(
                0,
                assertThrows(
                                TagDecoder.TagException.class,
                                () -> TagDecoder.decodeBio(tags("I-PER"), true))
                        .token());
    }

    @Test
    void unknownTagsAreErrors() {
        for (String bad :
                List.of(
                        "O X-PER",
                        "B-",
                        "O I-",
                        "PER",
                        "o",
                        "B-PER E-PER",
                        "B- PER".replace(' ', '_').replace("_", " "))) {
            List<String> labels = bad.equals("B- PER") ? List.of("B- PER") : tags(bad);
            assertThrows(
                    TagDecoder.TagException.class, () -> TagDecoder.decodeBio(labels, false), bad);
        }
        TagDecoder.TagException e =
                assertThrows(TagDecoder.TagException.class, () -> bio("O O X-PER"));
        assertEquals(2, e.token());
        assertTrue(e.getMessage().contains("expected O, B-TYPE or I-TYPE"), e.getMessage());
    }

    @Test
    void ioRunsOfEqualLabels() throws Exception {
        assertEquals(
                List.of(
                        new Chunk(0, 2, "GATE-person"),
                        new Chunk(2, 3, "GATE-location"),
                        new Chunk(4, 6, "GATE-creative work")),
                TagDecoder.decodeIo(
                        List.of(
                                "GATE-person",
                                "GATE-person",
                                "GATE-location",
                                "O",
                                "GATE-creative work",
                                "GATE-creative work")));
        // Adjacent same-type entities merge in IO.
        assertEquals(
                List.of(new Chunk(1, 4, "person-actor")),
                TagDecoder.decodeIo(List.of("O", "person-actor", "person-actor", "person-actor")));
        assertThrows(
                TagDecoder.TagException.class, () -> TagDecoder.decodeIo(List.of("O", "X-PER")));
        assertThrows(TagDecoder.TagException.class, () -> TagDecoder.decodeIo(List.of("S-LOC")));
        assertThrows(TagDecoder.TagException.class, () -> TagDecoder.decodeIo(List.of(" person")));
    }

    @Test
    void schemeDetection() {
        assertEquals(TagScheme.IO, TagDecoder.detect(List.of("O", "GATE-person", "location-GPE")));
        assertEquals(TagScheme.BIO, TagDecoder.detect(List.of("O", "I-PER")));
        assertEquals(TagScheme.BIO, TagDecoder.detect(List.of("B-X")));
        assertEquals(TagScheme.IO, TagDecoder.detect(List.of()));
    }

    @Test
    void encodeBioKeepsAdjacentEntitiesApartAndRoundTrips() throws Exception {
        List<Chunk> chunks =
                List.of(new Chunk(0, 2, "PER"), new Chunk(2, 3, "PER"), new Chunk(4, 5, "LOC"));
        List<String> labels = TagDecoder.encodeBio(5, chunks);
        assertEquals(tags("B-PER I-PER B-PER O B-LOC"), labels);
        assertEquals(chunks, TagDecoder.decodeBio(labels, true));
        assertThrows(
                IllegalArgumentException.class,
                () -> TagDecoder.encodeBio(3, List.of(new Chunk(0, 2, "A"), new Chunk(1, 3, "B"))));
    }

    @Test
    void randomChunkingsSurviveEncodeDecode() throws Exception {
        java.util.Random rnd = new java.util.Random(42);
        String[] types = {"PER", "LOC", "GATE-creative work"};
        for (int trial = 0; trial < 2000; trial++) {
            int n = rnd.nextInt(12);
            List<Chunk> chunks = new java.util.ArrayList<>();
            int i = 0;
            while (i < n) {
                if (rnd.nextBoolean()) {
                    i++;
                    continue;
                }
                int len = 1 + rnd.nextInt(Math.min(3, n - i));
                chunks.add(new Chunk(i, i + len, types[rnd.nextInt(types.length)]));
                i += len;
            }
            List<String> labels = TagDecoder.encodeBio(n, chunks);
            assertEquals(chunks, TagDecoder.decodeBio(labels, true), labels.toString());
            // IO loses only the boundary between adjacent same-type chunks.
            List<String> io = new java.util.ArrayList<>();
            for (String l : labels) io.add(l.equals("O") ? "O" : l.substring(2));
            List<Chunk> merged = new java.util.ArrayList<>();
            for (Chunk c : chunks) {
                Chunk last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
                if (last != null && last.end() == c.start() && last.type().equals(c.type())) {
                    merged.set(merged.size() - 1, new Chunk(last.start(), c.end(), c.type()));
                } else {
                    merged.add(c);
                }
            }
            assertEquals(merged, TagDecoder.decodeIo(io), io.toString());
        }
    }
}
