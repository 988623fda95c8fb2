package org.fewner.readers;

import static org.apache.uima.fit.util.JCasUtil.select;
import static org.fewner.readers.ReaderTestSupport.entities;
import static org.fewner.readers.ReaderTestSupport.read;
import static org.fewner.readers.ReaderTestSupport.spans;
import static org.fewner.readers.ReaderTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.fit.factory.AnalysisEngineFactory;
import org.apache.uima.jcas.JCas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TwoColumnReaderWriterTest {
    @TempDir Path dir;

    /**
     * Writes every CAS with {@link TwoColumnWriter} into {@code out}; returns the written files.
     */
    static List<Path> writeAll(List<JCas> cases, Path out) throws Exception {
        AnalysisEngine writer =
                AnalysisEngineFactory.createEngine(
                        TwoColumnWriter.class,
                        TwoColumnWriter.PARAM_TARGET_LOCATION,
                        out.toString(),
                        TwoColumnWriter.PARAM_STRIP_EXTENSION,
                        true,
                        TwoColumnWriter.PARAM_OVERWRITE,
                        true);
        for (JCas jcas : cases) writer.process(jcas);
        writer.collectionProcessComplete();
        writer.destroy();
        try (Stream<Path> s = Files.walk(out)) {
            return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void bioWithAdjacentSameTypeEntitiesRoundTrips() throws Exception {
        Path f =
                write(
                        dir,
                        "in/wnut.conll",
                        String.join(
                                "\n",
                                "Obama\tB-person",
                                "met\tO",
                                "Ann\tB-person",
                                "Lee\tB-person",
                                "in\tO",
                                "New\tB-location",
                                "York\tI-location",
                                "\t", // a TAB-only line separates sentences (WNUT-17 train)
                                "watched\u200Bwas\tO",
                                "Dubbz\uFEFF\tB-creative-work",
                                "",
                                "  ",
                                "x\tI-group",
                                "y\tI-group",
                                "z\tI-person",
                                ""));
        List<JCas> in = read(TwoColumnReader.class, f);
        assertEquals(1, in.size());
        JCas doc = in.get(0);
        assertEquals(
                "Obama met Ann Lee in New York\nwatched\u200Bwas Dubbz\uFEFF\nx y z",
                doc.getDocumentText());
        assertEquals(3, select(doc, Sentence.class).size());
        assertEquals(
                List.of(
                        "Obama/person",
                        "Ann/person",
                        "Lee/person",
                        "New York/location",
                        "Dubbz\uFEFF/creative-work",
                        "x y/group",
                        "z/person"),
                entities(doc));

        List<Path> written = writeAll(in, dir.resolve("out"));
        assertEquals(1, written.size());
        String text = Files.readString(written.get(0));
        assertTrue(
                text.startsWith("Obama\tB-person\nmet\tO\nAnn\tB-person\nLee\tB-person\n"), text);
        assertTrue(text.contains("x\tB-group\ny\tI-group\nz\tB-person\n\n"), text);
        List<JCas> back =
                read(TwoColumnReader.class, written.get(0), TwoColumnReader.PARAM_STRICT_IOB, true);
        assertEquals(spans(in), spans(back));
        assertEquals(doc.getDocumentText(), back.get(0).getDocumentText());
    }

    @Test
    void ioWithSpacesInLabelsAndPrefixStripping() throws Exception {
        Path f =
                write(
                        dir,
                        "proml.txt",
                        "Dune\tGATE-creative work\nby\tO\nHerbert\tGATE-person\nand\tGATE-person\n\nA B\tO\n");
        List<JCas> in = read(TwoColumnReader.class, f);
        assertEquals(
                List.of("Dune/GATE-creative work", "Herbert and/GATE-person"), entities(in.get(0)));
        assertEquals(
                "Dune by Herbert and\nA B",
                in.get(0).getDocumentText(),
                "a TAB line keeps the space inside the token");
        List<JCas> stripped =
                read(TwoColumnReader.class, f, TwoColumnReader.PARAM_LABEL_PREFIX, "GATE-");
        assertEquals(
                List.of("Dune/creative work", "Herbert and/person"), entities(stripped.get(0)));
        List<JCas> back =
                read(TwoColumnReader.class, writeAll(stripped, dir.resolve("out")).get(0));
        assertEquals(spans(stripped), spans(back));
    }

    @Test
    void spaceSeparatedAndSentencesPerCas() throws Exception {
        Path f = write(dir, "sp.txt", "a O\nb B-X\n\nc I-Y\n\nd O\n\ne B-Z\n");
        List<JCas> parts =
                read(TwoColumnReader.class, f, TwoColumnReader.PARAM_SENTENCES_PER_CAS, 2);
        assertEquals(
                List.of("a b\nc", "d\ne"),
                parts.stream().map(JCas::getDocumentText).collect(Collectors.toList()));
        assertEquals(List.of("b/X", "c/Y"), entities(parts.get(0)));
        assertEquals(List.of("e/Z"), entities(parts.get(1)));
        List<Path> written = writeAll(parts, dir.resolve("out"));
        assertEquals(
                List.of("sp-0.conll", "sp-1.conll"),
                written.stream().map(p -> p.getFileName().toString()).collect(Collectors.toList()));
        assertEquals(
                List.of("b/X", "c/Y"),
                entities(read(TwoColumnReader.class, written.get(0)).get(0)));
        assertEquals(List.of("e/Z"), entities(read(TwoColumnReader.class, written.get(1)).get(0)));
    }

    @Test
    void wrongColumnCountIsAnError() throws Exception {
        Path tab = write(dir, "tab.txt", "a\tO\nb\tB-X\textra\n");
        assertEquals(
                tab
                        + ":2: expected 2 columns (token<TAB>label, split on TAB if the line has one, else on spaces), found 3: 'b\tB-X\textra'",
                assertThrows(FormatException.class, () -> read(TwoColumnReader.class, tab))
                        .getMessage());
        Path space = write(dir, "space.txt", "a O\n\nb c B-X\n");
        assertTrue(
                assertThrows(FormatException.class, () -> read(TwoColumnReader.class, space))
                        .getMessage()
                        .startsWith(space + ":3: expected 2 columns"));
        Path one = write(dir, "one.txt", "a\n");
        assertTrue(
                assertThrows(FormatException.class, () -> read(TwoColumnReader.class, one))
                        .getMessage()
                        .startsWith(one + ":1: expected 2 columns"));
        Path emptyLabel = write(dir, "el.txt", "a\t\n");
        assertTrue(
                assertThrows(FormatException.class, () -> read(TwoColumnReader.class, emptyLabel))
                        .getMessage()
                        .startsWith(emptyLabel + ":1: column 2 is empty"));
    }

    @Test
    void unknownTagsAreErrors() throws Exception {
        Path bio = write(dir, "bio.txt", "a\tB-X\nb\tGATE-person\n");
        assertTrue(
                assertThrows(FormatException.class, () -> read(TwoColumnReader.class, bio))
                        .getMessage()
                        .startsWith(
                                bio
                                        + ":2: token 2 'b': unknown tag 'GATE-person': expected O, B-TYPE or I-TYPE"));
        Path io = write(dir, "io.txt", "a\tperson\nb\tS-LOC\n");
        assertTrue(
                assertThrows(FormatException.class, () -> read(TwoColumnReader.class, io))
                        .getMessage()
                        .startsWith(io + ":2: token 2 'b': label 'S-LOC' has a tag prefix"));
        Path strict = write(dir, "strict.txt", "a\tO\nb\tI-X\n");
        assertEquals(List.of("b/X"), entities(read(TwoColumnReader.class, strict).get(0)));
        assertTrue(
                assertThrows(
                                FormatException.class,
                                () ->
                                        read(
                                                TwoColumnReader.class,
                                                strict,
                                                TwoColumnReader.PARAM_STRICT_IOB,
                                                true))
                        .getMessage()
                        .startsWith(strict + ":2: "));
    }

    @Test
    void emptyAndInvalidUtf8FilesAreErrors() throws Exception {
        Path blank = write(dir, "blank.txt", "\n \t\n\n");
        assertTrue(
                assertThrows(FormatException.class, () -> read(TwoColumnReader.class, blank))
                        .getMessage()
                        .contains(": empty file"));
        Path bad = dir.resolve("bad.txt.gz");
        try (var o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(bad))) {
            o.write(new byte[] {'a', '\t', 'O', '\n', '\n', 'b', (byte) 0xff, '\t', 'O', '\n'});
        }
        assertTrue(
                assertThrows(FormatException.class, () -> read(TwoColumnReader.class, bad))
                        .getMessage()
                        .startsWith(bad + ":3: invalid byte sequence"));
    }

    @Test
    void writerRejectsEntitiesOffTokenBounds() throws Exception {
        JCas jcas = org.apache.uima.fit.factory.JCasFactory.createText("New York", "en");
        var meta = de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData.create(jcas);
        meta.setDocumentId("doc");
        new de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token(jcas, 0, 3).addToIndexes();
        new de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token(jcas, 4, 8).addToIndexes();
        var ne = new de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity(jcas, 0, 6);
        ne.setValue("LOC");
        ne.addToIndexes();
        Exception e =
                assertThrows(Exception.class, () -> writeAll(List.of(jcas), dir.resolve("w")));
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        assertTrue(
                root.getMessage().contains("does not start and end at token bounds"),
                root.getMessage());
    }
}
