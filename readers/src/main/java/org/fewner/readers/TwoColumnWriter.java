package org.fewner.readers;

import static org.apache.uima.fit.util.JCasUtil.select;
import static org.apache.uima.fit.util.JCasUtil.selectCovered;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence;
import de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.uima.analysis_engine.AnalysisEngineProcessException;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.fit.descriptor.ResourceMetaData;
import org.apache.uima.fit.descriptor.TypeCapability;
import org.apache.uima.jcas.JCas;
import org.dkpro.core.api.io.JCasFileWriter_ImplBase;
import org.dkpro.core.api.parameter.ComponentParameters;

/**
 * Writes each CAS as a two-column file: {@code token<TAB>label} per {@link Token}, BIO (IOB2)
 * labels from the {@link NamedEntity} values (so adjacent entities of the same type stay apart), a
 * blank line after each {@link Sentence}. UTF-8. {@link TwoColumnReader} reads the output back to
 * the same entities. An entity whose bounds are not token bounds, overlapping entities, or a
 * token/label holding a TAB or line break is an error.
 */
@ResourceMetaData(name = "FewNER Two-Column Token/Label Writer")
@TypeCapability(
        inputs = {
            "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData",
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence",
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token",
            "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
        })
public class TwoColumnWriter extends JCasFileWriter_ImplBase {

    /** Extension of the files written (default {@code .conll}). */
    public static final String PARAM_FILENAME_EXTENSION =
            ComponentParameters.PARAM_FILENAME_EXTENSION;

    @ConfigurationParameter(
            name = PARAM_FILENAME_EXTENSION,
            mandatory = true,
            defaultValue = ".conll")
    private String filenameExtension;

    @Override
    public void process(JCas jcas) throws AnalysisEngineProcessException {
        try (NamedOutputStream out = getOutputStream(jcas, filenameExtension)) {
            write(jcas, out);
        } catch (IOException | IllegalArgumentException e) {
            throw new AnalysisEngineProcessException(e);
        }
    }

    /**
     * DKPro's relative path, with a document qualifier ({@code #3} in the URI, as set by readers
     * that make several CASes per file) turned into a {@code -3} suffix, so that those CASes go to
     * separate files.
     */
    @Override
    protected String getRelativePath(JCas jcas) {
        String path = super.getRelativePath(jcas);
        String uri = DocumentMetaData.get(jcas).getDocumentUri();
        int hash = uri == null ? -1 : uri.lastIndexOf('#');
        if (hash < 0) return path;
        String fragment = uri.substring(hash + 1);
        if (path.endsWith("#" + fragment))
            path = path.substring(0, path.length() - fragment.length() - 1);
        return path + "-" + fragment;
    }

    /** Writes the document's sentences (the whole text as one sentence if it has none). */
    static void write(JCas jcas, OutputStream stream) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
        Collection<Sentence> sentences = select(jcas, Sentence.class);
        if (sentences.isEmpty()) {
            writeSentence(
                    jcas,
                    new ArrayList<>(select(jcas, Token.class)),
                    new ArrayList<>(select(jcas, NamedEntity.class)),
                    w);
        } else {
            for (Sentence s : sentences) {
                writeSentence(
                        jcas,
                        selectCovered(Token.class, s),
                        selectCovered(NamedEntity.class, s),
                        w);
            }
        }
        w.flush();
    }

    private static void writeSentence(
            JCas jcas, List<Token> tokens, List<NamedEntity> entities, Writer w)
            throws IOException {
        if (tokens.isEmpty()) return;
        Map<Integer, Integer> byBegin = new HashMap<>();
        Map<Integer, Integer> byEnd = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            byBegin.put(tokens.get(i).getBegin(), i);
            byEnd.put(tokens.get(i).getEnd(), i);
        }
        List<Chunk> chunks = new ArrayList<>();
        for (NamedEntity ne : entities) {
            Integer first = byBegin.get(ne.getBegin());
            Integer last = byEnd.get(ne.getEnd());
            if (first == null || last == null || last < first) {
                throw new IllegalArgumentException(
                        "entity '"
                                + ne.getCoveredText()
                                + "' ["
                                + ne.getBegin()
                                + ", "
                                + ne.getEnd()
                                + ") does not start and end at token bounds");
            }
            String type = ne.getValue();
            if (type == null || type.isEmpty() || hasBreak(type) || !type.strip().equals(type)) {
                throw new IllegalArgumentException(
                        "entity '"
                                + ne.getCoveredText()
                                + "' has value '"
                                + type
                                + "': expected a non-empty type without TAB, line break or padding");
            }
            chunks.add(new Chunk(first, last + 1, type));
        }
        List<String> labels = TagDecoder.encodeBio(tokens.size(), chunks);
        for (int i = 0; i < tokens.size(); i++) {
            String text = tokens.get(i).getCoveredText();
            if (text.isEmpty() || hasBreak(text) || LineReader.isBlank(text)) {
                throw new IllegalArgumentException(
                        "token "
                                + i
                                + " '"
                                + text
                                + "' at "
                                + tokens.get(i).getBegin()
                                + " is empty or holds a TAB or line break");
            }
            w.write(text);
            w.write('\t');
            w.write(labels.get(i));
            w.write('\n');
        }
        w.write('\n');
    }

    private static boolean hasBreak(String s) {
        return s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    }
}
