package org.fewner.readers;

import java.io.IOException;
import java.util.List;
import org.apache.uima.UimaContext;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;

/**
 * Shared by the column-file readers: scheme detection, sentence streaming, grouping of sentences
 * into CASes.
 */
public abstract class ColumnReaderBase extends FewNerReaderBase {

    /**
     * Tag scheme of the label column: {@code auto} (default: IO if no label starts with {@code
     * B-}/{@code I-}, else BIO; decided per file by a first pass over it), {@code bio}/{@code
     * iob1}/{@code iob2}, or {@code io}.
     */
    public static final String PARAM_TAG_SCHEME = "tagScheme";

    @ConfigurationParameter(name = PARAM_TAG_SCHEME, mandatory = true, defaultValue = "auto")
    private String tagSchemeName;

    private TagScheme tagScheme;
    private ColumnFileParser parser;
    private TagScheme fileScheme;
    private LabelledSentence lookahead;
    private int unitIndex;

    @Override
    public void initialize(UimaContext context) throws ResourceInitializationException {
        super.initialize(context);
        try {
            tagScheme = TagScheme.parse(tagSchemeName);
        } catch (org.fewner.common.FewNerException e) {
            throw new ResourceInitializationException(e);
        }
    }

    /** Exact number of fields of a token line. */
    protected abstract int columns();

    /** What the fields are, for error messages. */
    protected abstract String columnsHint();

    /**
     * True if {@code sentence} must start a new CAS, given that the current one already holds
     * {@code count} sentences.
     */
    protected abstract boolean startsNewUnit(LabelledSentence sentence, int count);

    /** The qualifier of the {@code index}-th CAS of a file (null: the file itself). */
    protected abstract String qualifier(int index);

    /** A prefix to strip from entity types (e.g. {@code GATE-}), or null. */
    protected String typePrefix() {
        return null;
    }

    /** The scheme used for the current file. */
    protected TagScheme fileScheme() {
        return fileScheme;
    }

    @Override
    protected void openFile(Resource resource) throws IOException {
        fileScheme = tagScheme;
        if (fileScheme == TagScheme.AUTO) {
            try (ColumnFileParser scan =
                    new ColumnFileParser(openLines(resource), columns(), columnsHint())) {
                fileScheme = TagScheme.IO;
                LabelledSentence s;
                while (fileScheme == TagScheme.IO && (s = scan.next()) != null) {
                    fileScheme = TagDecoder.detect(s.labels());
                }
            }
        }
        parser = new ColumnFileParser(openLines(resource), columns(), columnsHint());
        lookahead = parser.next();
        unitIndex = 0;
    }

    @Override
    protected Unit nextUnit() throws IOException {
        if (lookahead == null) return null;
        CasTextBuilder builder = new CasTextBuilder();
        int count = 0;
        do {
            List<Chunk> chunks = lookahead.chunks(parser.name(), 0, fileScheme, strictIob());
            builder.add(lookahead.tokens(), chunks, typePrefix());
            count++;
            lookahead = parser.next();
        } while (lookahead != null && !startsNewUnit(lookahead, count));
        String qualifier = qualifier(unitIndex++);
        return new Unit() {
            @Override
            public String qualifier() {
                return qualifier;
            }

            @Override
            public void fill(JCas jcas) {
                builder.build(jcas);
            }
        };
    }

    @Override
    protected void closeFile() throws IOException {
        if (parser != null) parser.close();
        parser = null;
        lookahead = null;
    }
}
