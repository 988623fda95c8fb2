package org.fewner.uimaannotator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.uima.cas.impl.XmiCasSerializer;
import org.apache.uima.jcas.JCas;
import org.fewner.common.FewNerException;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.SupportSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Support sets from every format, and their errors. */
class SupportFilesTest {
    @TempDir Path tmp;

    static String sentences(SupportSet s) {
        StringBuilder sb = new StringBuilder();
        for (LabeledSentence l : s.sentences()) {
            sb.append(l.sentence().words()).append(' ');
            for (Mention m : l.mentions()) sb.append(m).append(' ');
            sb.append('|');
        }
        return sb.toString();
    }

    @Test
    void conll2003AndTwoColumnGiveTheSameSupport() throws Exception {
        Path a = tmp.resolve("a.conll2003");
        Files.writeString(
                a,
                "-DOCSTART- -X- -X- O\n\nMarie NNP B-NP I-PER\nCurie NNP I-NP I-PER\n"
                        + "visited VBD B-VP O\nParis NNP B-NP I-LOC\n\n");
        Path b = tmp.resolve("b.conll");
        Files.writeString(b, "Marie\tB-PER\nCurie\tI-PER\nvisited\tO\nParis\tB-LOC\n");
        SupportSet sa = SupportFiles.read(a, "conll2003", List.of());
        SupportSet sb = SupportFiles.read(b, "conll", List.of());
        assertEquals(List.of("PER", "LOC"), sa.types());
        assertEquals(sentences(sb), sentences(sa));
        assertEquals(List.of("LOC"), SupportFiles.read(b, "conll", List.of("LOC")).types());
    }

    @Test
    void firstFewNerdEpisode() throws Exception {
        Path e = tmp.resolve("e.jsonl");
        Files.writeString(
                e,
                "{\"support\": {\"word\": [[\"marie\", \"visited\", \"paris\"]], \"label\":"
                        + " [[\"person\", \"O\", \"location\"]]}, \"query\": {\"word\": [[\"a\"]],"
                        + " \"label\": [[\"O\"]]}, \"types\": [\"person\", \"location\"]}\n");
        SupportSet s = SupportFiles.read(e, "fewnerd-episodes", List.of());
        assertEquals(List.of("person", "location"), s.types());
        assertEquals(1, s.sentences().size());
        assertEquals(
                List.of(new Mention(0, 1, "person"), new Mention(2, 3, "location")),
                s.sentences().get(0).mentions());
    }

    @Test
    void xmiWithSentencesTokensAndEntities() throws Exception {
        JCas jcas = Docs.jcas("Zoe\u0301 Smith visited 東京 🙂 .\nthe UN met .", "x");
        NamedEntity per = new NamedEntity(jcas, 0, 10);
        per.setValue("PER");
        per.addToIndexes();
        NamedEntity loc = new NamedEntity(jcas, 19, 21);
        loc.setValue("LOC");
        loc.addToIndexes();
        NamedEntity org = new NamedEntity(jcas, 31, 33);
        org.setValue("ORG");
        org.addToIndexes();
        Path x = tmp.resolve("s.xmi");
        try (OutputStream os = Files.newOutputStream(x)) {
            XmiCasSerializer.serialize(jcas.getCas(), os);
        }
        SupportSet s = SupportFiles.read(x, "xmi", List.of());
        assertEquals(List.of("PER", "LOC", "ORG"), s.types());
        assertEquals(
                List.of(new Mention(0, 2, "PER"), new Mention(3, 4, "LOC")),
                s.sentences().get(0).mentions());
        assertEquals(List.of(new Mention(1, 2, "ORG")), s.sentences().get(1).mentions());

        NamedEntity bad = new NamedEntity(jcas, 1, 10);
        bad.setValue("PER");
        bad.addToIndexes();
        try (OutputStream os = Files.newOutputStream(x)) {
            XmiCasSerializer.serialize(jcas.getCas(), os);
        }
        FewNerException e =
                assertThrows(FewNerException.class, () -> SupportFiles.read(x, "xmi", List.of()));
        assertTrue(
                e.getMessage().contains("does not start and end at Token boundaries"),
                e.getMessage());
    }

    @Test
    void badFilesNameTheFileAndTheProblem() throws Exception {
        Path notXmi = tmp.resolve("n.xmi");
        Files.writeString(notXmi, "hello");
        assertTrue(
                assertThrows(
                                FewNerException.class,
                                () -> SupportFiles.read(notXmi, "xmi", List.of()))
                        .getMessage()
                        .startsWith(notXmi + ":1: not a UIMA XMI file"));
        Path noEntities = tmp.resolve("o.conll");
        Files.writeString(noEntities, "a\tO\nb\tO\n");
        assertEquals(
                noEntities + ": no entity in the support file",
                assertThrows(
                                FewNerException.class,
                                () -> SupportFiles.read(noEntities, "conll", List.of()))
                        .getMessage());
        assertTrue(
                assertThrows(
                                FewNerException.class,
                                () -> SupportFiles.read(noEntities, "csv", List.of()))
                        .getMessage()
                        .contains("unknown support format 'csv'"));
        Path badTag = tmp.resolve("t.conll");
        Files.writeString(badTag, "a\tO\nb\tB-\n");
        FewNerException e =
                assertThrows(
                        FewNerException.class, () -> SupportFiles.read(badTag, "conll", List.of()));
        assertTrue(e.getMessage().startsWith(badTag.toString()), e.getMessage());
    }

    /**
     * Issue 27: a broken XMI support file gave a "[Fatal Error]" line from the XML parser on stderr
     * before the error; now one message naming the file and line, the parser's exception as cause.
     */
    @Test
    void brokenXmiPrintsNoParserLineAndNamesTheLine() throws Exception {
        Path cut = tmp.resolve("cut.xmi");
        Files.writeString(
                cut,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        + "<xmi:XMI xmlns:xmi=\"http://www.omg.org/XMI\" xmi:version=\"2.0\">\n"
                        + "<cas:Sofa xmlns:cas=\"http:///uima/cas.ecore\" xmi:id=\"1\"\n");
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        FewNerException e;
        try {
            System.setErr(new java.io.PrintStream(err, true, "UTF-8"));
            e = assertThrows(FewNerException.class, () -> SupportFiles.read(cut, "xmi", List.of()));
        } finally {
            System.setErr(old);
        }
        assertEquals("", err.toString("UTF-8"), "nothing printed by the XML parser");
        assertTrue(e.getMessage().startsWith(cut + ":4: not a UIMA XMI file"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        assertTrue(
                e.getCause() instanceof org.xml.sax.SAXParseException,
                String.valueOf(e.getCause()));
    }
}
