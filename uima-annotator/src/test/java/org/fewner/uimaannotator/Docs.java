package org.fewner.uimaannotator;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.jcas.JCas;

/** Test documents: one Sentence per line, one Token per run of non-space characters. */
public final class Docs {
    private Docs() {}

    public static JCas jcas(String text, String collectionId) throws Exception {
        JCas jcas = JCasFactory.createText(text, "en");
        segment(jcas, true, true);
        DocumentMetaData meta = DocumentMetaData.create(jcas);
        meta.setDocumentId("doc-" + Math.abs(text.hashCode()));
        meta.setCollectionId(collectionId);
        return jcas;
    }

    public static void segment(JCas jcas, boolean sentences, boolean tokens) {
        String text = jcas.getDocumentText();
        Matcher lines = Pattern.compile("[^\\n]+").matcher(text);
        while (lines.find()) {
            if (sentences) new Sentence(jcas, lines.start(), lines.end()).addToIndexes();
        }
        Matcher words = Pattern.compile("\\S+").matcher(text);
        while (words.find()) {
            if (tokens) new Token(jcas, words.start(), words.end()).addToIndexes();
        }
    }

    /** begin end value text [confidence adapter] of every NamedEntity; checks the slice. */
    public static java.util.List<String> spans(JCas jcas) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity ne :
                org.apache.uima.fit.util.JCasUtil.select(
                        jcas, de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity.class)) {
            String text = jcas.getDocumentText();
            // offsets in UTF-16 code units: the slice is exactly the covered text
            org.junit.jupiter.api.Assertions.assertEquals(
                    text.substring(ne.getBegin(), ne.getEnd()), ne.getCoveredText());
            String extra =
                    ne instanceof org.fewner.type.ScoredNamedEntity s
                            ? " " + s.getConfidence() + " " + s.getAdapterId()
                            : "";
            out.add(
                    ne.getBegin()
                            + " "
                            + ne.getEnd()
                            + " "
                            + ne.getValue()
                            + " "
                            + ne.getCoveredText()
                            + extra);
        }
        return out;
    }
}
