package org.fewner.serve;

import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.uima.jcas.JCas;

/**
 * A support set as the engine reads it from a CAS view ({@code FewNerAnnotator.PARAM_SUPPORT_VIEW},
 * {@link #NAME}): the support sentences joined by newlines as the view's text, each sentence's
 * words separated by single spaces, with DKPro {@code Sentence}, {@code Token} and {@code
 * NamedEntity} (the label in {@code value}). Words and labels are written as the support file holds
 * them ({@link SupportFile#word}, {@link SupportFile#label}), so that a support set read back after
 * a restart is the same set, which the engine adapted once (its recognisers are cached by content).
 */
public final class SupportView {
    /** The view's name. */
    public static final String NAME = "fewner-support";

    private final String text;
    private final List<int[]> sentences = new ArrayList<>();
    private final List<int[]> tokens = new ArrayList<>();
    private final List<int[]> mentions = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();

    /** The view of the sentences of {@code documents}, in their order. */
    public SupportView(Collection<SupportDocument> documents) {
        StringBuilder b = new StringBuilder();
        for (SupportDocument d : documents) {
            for (SupportSentence s : d.sentences()) {
                if (s.words().isEmpty()) {
                    continue;
                }
                if (b.length() > 0) {
                    b.append('\n');
                }
                int sentenceBegin = b.length();
                int[] starts = new int[s.words().size()];
                int[] ends = new int[s.words().size()];
                for (int i = 0; i < s.words().size(); i++) {
                    if (i > 0) {
                        b.append(' ');
                    }
                    starts[i] = b.length();
                    b.append(SupportFile.word(s.words().get(i)));
                    ends[i] = b.length();
                    tokens.add(new int[] {starts[i], ends[i]});
                }
                sentences.add(new int[] {sentenceBegin, b.length()});
                for (SupportSentence.Mention m : s.mentions()) {
                    mentions.add(new int[] {starts[m.start()], ends[m.end() - 1]});
                    labels.add(SupportFile.label(m.label()));
                }
            }
        }
        text = b.toString();
    }

    /** The number of mentions. */
    public int mentions() {
        return mentions.size();
    }

    /** Writes the support set into {@code view}, an empty view. */
    void write(JCas view) {
        view.setDocumentText(text);
        for (int[] s : sentences) {
            new Sentence(view, s[0], s[1]).addToIndexes();
        }
        for (int[] t : tokens) {
            new Token(view, t[0], t[1]).addToIndexes();
        }
        for (int i = 0; i < mentions.size(); i++) {
            NamedEntity ne = new NamedEntity(view, mentions.get(i)[0], mentions.get(i)[1]);
            ne.setValue(labels.get(i));
            ne.addToIndexes();
        }
    }
}
