package org.fewner.readers;

import static org.apache.uima.fit.util.JCasUtil.select;
import static org.fewner.readers.ReaderTestSupport.entities;
import static org.fewner.readers.ReaderTestSupport.read;
import static org.fewner.readers.ReaderTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.uima.jcas.JCas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Conll2003ReaderTest {
    @TempDir Path dir;

    static final String TWO_DOCS =
            String.join(
                    "\n",
                    "-DOCSTART- -X- O O",
                    "",
                    "EU NNP I-NP I-ORG",
                    "rejects VBZ I-VP O",
                    "German JJ I-NP I-MISC",
                    "call NN I-NP O",
                    "",
                    "Peter NNP I-NP I-PER",
                    "Blackburn NNP I-NP I-PER",
                    "Jones NNP I-NP B-PER",
                    "",
                    "-DOCSTART- -X- -X- O",
                    "",
                    "In IN I-PP O",
                    "Paris NNP I-NP I-LOC",
                    "",
                    "-DOCSTART- -X- O O",
                    "");

    @Test
    void onePerDocumentTextOffsetsAndIob1() throws Exception {
        Path f = write(dir, "tiny.conll.gz", TWO_DOCS);
        List<JCas> docs = read(Conll2003Reader.class, f, Conll2003Reader.PARAM_LANGUAGE, "en");
        assertEquals(2, docs.size(), "the trailing -DOCSTART- makes no document");
        JCas d0 = docs.get(0);
        assertEquals("EU rejects German call\nPeter Blackburn Jones", d0.getDocumentText());
        assertEquals(
                List.of("EU rejects German call", "Peter Blackburn Jones"),
                select(d0, Sentence.class).stream()
                        .map(Sentence::getCoveredText)
                        .collect(Collectors.toList()));
        assertEquals(7, select(d0, Token.class).size());
        assertEquals(
                List.of("EU/ORG", "German/MISC", "Peter Blackburn/PER", "Jones/PER"), entities(d0));
        assertEquals("In Paris", docs.get(1).getDocumentText());
        assertEquals(List.of("Paris/LOC"), entities(docs.get(1)));
        assertEquals("en", d0.getDocumentLanguage());
        DocumentMetaData meta = DocumentMetaData.get(docs.get(1));
        assertTrue(meta.getDocumentId().endsWith("#1"), meta.getDocumentId());
        for (JCas d : docs) assertTrue(!d.getDocumentText().contains("DOCSTART"));
    }

    @Test
    void roundTripThroughTheTwoColumnWriter() throws Exception {
        Path f = write(dir, "tiny.conll", TWO_DOCS);
        List<JCas> docs = read(Conll2003Reader.class, f);
        List<Path> out = TwoColumnReaderWriterTest.writeAll(docs, dir.resolve("out"));
        assertEquals(2, out.size());
        List<JCas> back = new java.util.ArrayList<>();
        for (Path p : out)
            back.addAll(read(TwoColumnReader.class, p, TwoColumnReader.PARAM_STRICT_IOB, true));
        assertEquals(ReaderTestSupport.spans(docs), ReaderTestSupport.spans(back));
        assertTrue(
                java.nio.file.Files.readString(out.get(0))
                        .contains("Peter\tB-PER\nBlackburn\tI-PER\nJones\tB-PER\n"));
    }

    @Test
    void relativeLocationWithDotDotWorks() throws Exception {
        Path f = write(dir, "sub/x.txt", "A DT B-NP I-ORG\n");
        Path cwd = Path.of("").toAbsolutePath();
        Path rel = cwd.relativize(f);
        assertTrue(rel.toString().contains(".."), rel.toString());
        assertEquals(List.of("A/ORG"), entities(read(Conll2003Reader.class, rel).get(0)));
    }

    @Test
    void noDocstartIsOneDocument() throws Exception {
        Path f = write(dir, "plain.txt", "A DT B-NP B-ORG\nB NN I-NP I-ORG\n\nC NN B-NP O\n");
        List<JCas> docs = read(Conll2003Reader.class, f);
        assertEquals(1, docs.size());
        assertEquals("A B\nC", docs.get(0).getDocumentText());
        assertEquals(List.of("A B/ORG"), entities(docs.get(0)));
    }

    @Test
    void wrongColumnCountIsAnError() throws Exception {
        Path f = write(dir, "bad.txt", "EU NNP I-NP I-ORG\nrejects VBZ O\n");
        FormatException e =
                assertThrows(FormatException.class, () -> read(Conll2003Reader.class, f));
        assertEquals(
                f
                        + ":2: expected 4 columns (token POS chunk NER, split on TAB if the line has one, else on spaces), found 3: 'rejects VBZ O'",
                e.getMessage());
    }

    @Test
    void unknownTagIsAnError() throws Exception {
        Path f = write(dir, "bad.txt", "EU NNP I-NP I-ORG\n\nrejects VBZ I-VP X-PER\n");
        FormatException e =
                assertThrows(FormatException.class, () -> read(Conll2003Reader.class, f));
        assertTrue(
                e.getMessage().startsWith(f + ":3: token 1 'rejects': unknown tag 'X-PER'"),
                e.getMessage());
        Path g = write(dir, "bad2.txt", "EU NNP I-NP B-\n");
        assertTrue(
                assertThrows(FormatException.class, () -> read(Conll2003Reader.class, g))
                        .getMessage()
                        .contains(":1: "));
    }

    @Test
    void strictIobRejectsIAfterO() throws Exception {
        Path f = write(dir, "iob1.txt", "In IN I-PP O\nParis NNP I-NP I-LOC\n");
        assertEquals(List.of("Paris/LOC"), entities(read(Conll2003Reader.class, f).get(0)));
        FormatException e =
                assertThrows(
                        FormatException.class,
                        () ->
                                read(
                                        Conll2003Reader.class,
                                        f,
                                        Conll2003Reader.PARAM_STRICT_IOB,
                                        true));
        assertTrue(
                e.getMessage().startsWith(f + ":2: token 2 'Paris': 'I-LOC' follows 'O'"),
                e.getMessage());
    }

    @Test
    void emptyFileIsAnError() throws Exception {
        Path f = write(dir, "empty.txt", "");
        assertTrue(
                assertThrows(FormatException.class, () -> read(Conll2003Reader.class, f))
                        .getMessage()
                        .startsWith(f + ":1: empty file"));
        Path g = write(dir, "onlydoc.txt", "-DOCSTART- -X- O O\n\n");
        assertTrue(
                assertThrows(FormatException.class, () -> read(Conll2003Reader.class, g))
                        .getMessage()
                        .contains("empty file"));
    }

    @Test
    void invalidUtf8IsAnError() throws Exception {
        Path f = dir.resolve("latin1.txt");
        java.nio.file.Files.write(
                f,
                new byte[] {
                    'A',
                    ' ',
                    'B',
                    ' ',
                    'C',
                    ' ',
                    'O',
                    '\n',
                    (byte) 0xE9,
                    ' ',
                    'B',
                    ' ',
                    'C',
                    ' ',
                    'O',
                    '\n'
                });
        FormatException e =
                assertThrows(FormatException.class, () -> read(Conll2003Reader.class, f));
        assertTrue(e.getMessage().startsWith(f + ":2: invalid byte sequence"), e.getMessage());
    }

    @Test
    void badParametersAreUserErrorsInsideUimasException() throws Exception {
        Path f = write(dir, "ok.conll", "EU NNP B-NP B-ORG\n");
        for (Object[] p :
                new Object[][] {
                    {ColumnReaderBase.PARAM_TAG_SCHEME, "bilou", "unknown tag scheme 'bilou'"},
                    {FewNerReaderBase.PARAM_SOURCE_ENCODING, "no-such", "unknown sourceEncoding"}
                }) {
            Exception e =
                    assertThrows(Exception.class, () -> read(Conll2003Reader.class, f, p[0], p[1]));
            Throwable t = e;
            while (t != null && !(t instanceof org.fewner.common.FewNerException)) {
                t = t.getCause();
            }
            assertTrue(t != null, "no FewNerException in the cause chain of " + e);
            assertTrue(t.getMessage().contains((String) p[2]), t.getMessage());
        }
    }
}
