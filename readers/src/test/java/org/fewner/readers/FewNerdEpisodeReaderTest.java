package org.fewner.readers;

import static org.apache.uima.fit.util.JCasUtil.select;
import static org.apache.uima.fit.util.JCasUtil.selectCovered;
import static org.fewner.readers.ReaderTestSupport.entities;
import static org.fewner.readers.ReaderTestSupport.read;
import static org.fewner.readers.ReaderTestSupport.spans;
import static org.fewner.readers.ReaderTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.uima.jcas.JCas;
import org.fewner.type.EpisodePart;
import org.fewner.type.EpisodeTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FewNerdEpisodeReaderTest {
    @TempDir Path dir;

    static String episode(int i) {
        return "{\"support\": {\"word\": [[\"alice"
                + i
                + "\", \"sang\"], [\"in\", \"new\", \"york\"]], "
                + "\"label\": [[\"person-actor\", \"O\"], [\"O\", \"location-GPE\", \"location-GPE\"]]}, "
                + "\"query\": {\"word\": [[\"bob\", \"carl\", \"ran\"]], \"label\": [[\"person-actor\", \"person-actor\", \"O\"]]}, "
                + "\"types\": [\"location-GPE\", \"person-actor\"]}";
    }

    @Test
    void onePerEpisodeWithPartsAndTypes() throws Exception {
        Path f = write(dir, "test_2_1.jsonl.gz", episode(0) + "\n" + episode(1) + "\n");
        List<JCas> eps = read(FewNerdEpisodeReader.class, f);
        assertEquals(2, eps.size());
        JCas e = eps.get(1);
        assertEquals("alice1 sang\nin new york\nbob carl ran", e.getDocumentText());
        assertEquals(
                List.of("alice1/person-actor", "new york/location-GPE", "bob carl/person-actor"),
                entities(e));
        List<EpisodePart> parts = List.copyOf(select(e, EpisodePart.class));
        assertEquals(
                List.of("support", "query"),
                parts.stream().map(EpisodePart::getPart).collect(Collectors.toList()));
        assertEquals(2, selectCovered(Sentence.class, parts.get(0)).size());
        assertEquals(
                List.of("bob carl ran"),
                selectCovered(Sentence.class, parts.get(1)).stream()
                        .map(Sentence::getCoveredText)
                        .collect(Collectors.toList()));
        EpisodeTypes meta = select(e, EpisodeTypes.class).iterator().next();
        assertEquals(1, meta.getEpisodeIndex());
        assertEquals(List.of("location-GPE", "person-actor"), List.of(meta.getTypes().toArray()));
    }

    @Test
    void startIndexAndLimit() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) sb.append(episode(i)).append('\n');
        Path f = write(dir, "many.jsonl", sb.toString());
        List<JCas> eps =
                read(
                        FewNerdEpisodeReader.class,
                        f,
                        FewNerdEpisodeReader.PARAM_FIRST_EPISODE,
                        2,
                        FewNerdEpisodeReader.PARAM_MAX_EPISODES,
                        3);
        assertEquals(
                List.of(2, 3, 4),
                eps.stream()
                        .map(j -> select(j, EpisodeTypes.class).iterator().next().getEpisodeIndex())
                        .collect(Collectors.toList()));
        assertTrue(eps.get(0).getDocumentText().startsWith("alice2 "));
        assertEquals(
                0,
                read(FewNerdEpisodeReader.class, f, FewNerdEpisodeReader.PARAM_FIRST_EPISODE, 10)
                        .size());
    }

    @Test
    void roundTripThroughTheWriter() throws Exception {
        Path f = write(dir, "ep.jsonl", episode(0) + "\n");
        List<JCas> eps = read(FewNerdEpisodeReader.class, f);
        List<Path> out = TwoColumnReaderWriterTest.writeAll(eps, dir.resolve("out"));
        List<JCas> back = read(TwoColumnReader.class, out.get(0));
        assertEquals(spans(eps), spans(back));
        assertEquals(eps.get(0).getDocumentText(), back.get(0).getDocumentText());
    }

    @Test
    void linesThatAreNotEpisodesAreErrors() throws Exception {
        String good = episode(0);
        assertBad("not json", ":2: not JSON");
        assertBad("[1, 2]", ":2: expected an episode object");
        assertBad(good.replace("\"query\"", "\"q\""), ":2: episode has no \"query\" object");
        assertBad(good.replace("\"types\"", "\"t\""), ":2: episode has no \"types\"");
        assertBad(
                good.replace("[[\"bob\", \"carl\", \"ran\"]]", "[[\"bob\", \"carl\"]]"),
                ":2: query.word[0] has 2 words but query.label[0] has 3 labels");
        assertBad(
                good.replace("\"word\": [[\"alice0\", \"sang\"], ", "\"word\": ["),
                ":2: support.word has 1 sentences but support.label has 2");
        assertBad(
                good.replace("\"O\"]]}, \"types\"", "\"X-PER\"]]}, \"types\""),
                ":2: query sentence 1, token 3 'ran': label 'X-PER' has a tag prefix");
        assertBad(good + " trailing", ":2: not JSON");
        assertBad(
                good.replace("\"types\": [\"location-GPE\", \"person-actor\"]", "\"types\": []"),
                ":2: episode has empty \"types\"");
        assertBad(
                good.replace(
                        "[\"person-actor\", \"person-actor\", \"O\"]",
                        "[\"person-actor\", \"event-sports\", \"O\"]"),
                ":2: query.label[0][1] 'event-sports' is not among the episode's types"
                        + " 'location-GPE, person-actor'");
        assertBad(
                good.replace("\"sang\"", "7"),
                ":2: support.word[0] holds number 7 (expected strings)");
    }

    private void assertBad(String line, String expected) throws Exception {
        Path f = write(dir, "bad.jsonl", episode(0) + "\n" + line + "\n");
        FormatException e =
                assertThrows(FormatException.class, () -> read(FewNerdEpisodeReader.class, f));
        assertTrue(e.getMessage().startsWith(f + expected), e.getMessage());
    }

    @Test
    void emptyAndInvalidUtf8FilesAreErrors() throws Exception {
        Path empty = write(dir, "empty.jsonl.gz", "");
        assertTrue(
                assertThrows(FormatException.class, () -> read(FewNerdEpisodeReader.class, empty))
                        .getMessage()
                        .startsWith(empty + ":1: empty file"));
        Path bad = dir.resolve("bad.jsonl");
        byte[] head = (episode(0) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] all = java.util.Arrays.copyOf(head, head.length + 3);
        all[head.length] = '"';
        all[head.length + 1] = (byte) 0xC0;
        all[head.length + 2] = '"';
        java.nio.file.Files.write(bad, all);
        assertTrue(
                assertThrows(FormatException.class, () -> read(FewNerdEpisodeReader.class, bad))
                        .getMessage()
                        .startsWith(bad + ":2: invalid byte sequence"));
    }
}
