package org.fewner.uimaannotator;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.uima.fit.factory.JCasFactory;
import org.apache.uima.jcas.JCas;

/** Test documents: one Sentence per line, one Token per run of non-space characters. */
final class Docs {
    private Docs() {}

    static JCas jcas(String text, String collectionId) throws Exception {
        JCas jcas = JCasFactory.createText(text, "en");
        segment(jcas, true, true);
        DocumentMetaData meta = DocumentMetaData.create(jcas);
        meta.setDocumentId("doc-" + Math.abs(text.hashCode()));
        meta.setCollectionId(collectionId);
        return jcas;
    }

    static void segment(JCas jcas, boolean sentences, boolean tokens) {
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
}
