package org.fewner.readers;

import org.apache.uima.UimaContext;
import org.apache.uima.fit.descriptor.ConfigurationParameter;
import org.apache.uima.fit.descriptor.ResourceMetaData;
import org.apache.uima.fit.descriptor.TypeCapability;
import org.apache.uima.resource.ResourceInitializationException;

/**
 * Reads two-column {@code token label} files (WNUT-17, NCBI-disease, BC5CDR, the cross-domain
 * files): a line with a TAB is split on TAB only (labels may hold spaces, e.g. {@code GATE-creative
 * work}), others on spaces; lines of only spaces/tabs separate sentences. Tags: BIO, IOB1 or IO
 * ({@link #PARAM_TAG_SCHEME}, decided per file by default). {@code -DOCSTART-} lines are skipped
 * (never text).
 *
 * <p>CAS granularity: one CAS per file by default; with {@link #PARAM_SENTENCES_PER_CAS} = N &gt;
 * 0, one CAS per N sentences (document id = path + {@code #<chunk index>}). Text, offsets and
 * annotations as in {@link Conll2003Reader}.
 */
@ResourceMetaData(name = "FewNER Two-Column Token/Label Reader")
@TypeCapability(
        outputs = {
            "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData",
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence",
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token",
            "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
        })
public class TwoColumnReader extends ColumnReaderBase {

    /** Sentences per CAS; 0 (default) puts the whole file into one CAS. */
    public static final String PARAM_SENTENCES_PER_CAS = "sentencesPerCas";

    @ConfigurationParameter(name = PARAM_SENTENCES_PER_CAS, mandatory = true, defaultValue = "0")
    private int sentencesPerCas;

    /**
     * A prefix stripped from every entity type where present, e.g. {@code GATE-} for ProML's
     * cross-domain files ({@code GATE-person} becomes {@code person}). Empty (default): types are
     * kept as written.
     */
    public static final String PARAM_LABEL_PREFIX = "labelPrefix";

    @ConfigurationParameter(name = PARAM_LABEL_PREFIX, mandatory = true, defaultValue = "")
    private String labelPrefix;

    @Override
    public void initialize(UimaContext context) throws ResourceInitializationException {
        super.initialize(context);
        if (sentencesPerCas < 0) {
            throw new ResourceInitializationException(
                    new IllegalArgumentException(
                            PARAM_SENTENCES_PER_CAS
                                    + " must be >= 0 (0 = one CAS per file), got "
                                    + sentencesPerCas));
        }
    }

    @Override
    protected int columns() {
        return 2;
    }

    @Override
    protected String columnsHint() {
        return "token<TAB>label";
    }

    @Override
    protected String typePrefix() {
        return labelPrefix;
    }

    @Override
    protected boolean startsNewUnit(LabelledSentence sentence, int count) {
        return sentencesPerCas > 0 && count >= sentencesPerCas;
    }

    @Override
    protected String qualifier(int index) {
        return sentencesPerCas > 0 ? String.valueOf(index) : null;
    }
}
