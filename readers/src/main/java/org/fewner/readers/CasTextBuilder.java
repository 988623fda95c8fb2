package org.fewner.readers;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.util.ArrayList;
import java.util.List;
import org.apache.uima.jcas.JCas;

/**
 * Builds a document from labelled sentences: the text is the tokens joined by single spaces,
 * sentences joined by newlines; {@link Sentence}, {@link Token} and {@link NamedEntity} (value =
 * type) annotations get exact offsets.
 */
final class CasTextBuilder {
    private final StringBuilder text = new StringBuilder();
    private final List<int[]> sentences = new ArrayList<>();
    private final List<int[]> tokens = new ArrayList<>();
    private final List<int[]> entities = new ArrayList<>();
    private final List<String> entityTypes = new ArrayList<>();

    /** Current end of the text (where the next sentence's newline goes). */
    int length() {
        return text.length();
    }

    /** Appends a sentence with its chunks; returns its {begin, end} offsets. */
    int[] add(List<String> sentenceTokens, List<Chunk> chunks, String stripTypePrefix) {
        if (!sentences.isEmpty()) text.append('\n');
        int sentenceBegin = text.length();
        int[] begins = new int[sentenceTokens.size()];
        int[] ends = new int[sentenceTokens.size()];
        for (int i = 0; i < sentenceTokens.size(); i++) {
            if (i > 0) text.append(' ');
            begins[i] = text.length();
            text.append(sentenceTokens.get(i));
            ends[i] = text.length();
            tokens.add(new int[] {begins[i], ends[i]});
        }
        int[] span = {sentenceBegin, text.length()};
        sentences.add(span);
        for (Chunk c : chunks) {
            String type = c.type();
            if (stripTypePrefix != null
                    && !stripTypePrefix.isEmpty()
                    && type.startsWith(stripTypePrefix)
                    && type.length() > stripTypePrefix.length()) {
                type = type.substring(stripTypePrefix.length());
            }
            entities.add(new int[] {begins[c.start()], ends[c.end() - 1]});
            entityTypes.add(type);
        }
        return span;
    }

    /** Sets the document text of {@code jcas} and adds the annotations. */
    void build(JCas jcas) {
        jcas.setDocumentText(text.toString());
        for (int[] s : sentences) new Sentence(jcas, s[0], s[1]).addToIndexes();
        for (int[] t : tokens) new Token(jcas, t[0], t[1]).addToIndexes();
        for (int i = 0; i < entities.size(); i++) {
            NamedEntity ne = new NamedEntity(jcas, entities.get(i)[0], entities.get(i)[1]);
            ne.setValue(entityTypes.get(i));
            ne.addToIndexes();
        }
    }
}
