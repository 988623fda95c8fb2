package org.fewner.readers;

import org.apache.uima.fit.descriptor.ResourceMetaData;
import org.apache.uima.fit.descriptor.TypeCapability;

/**
 * Reads CoNLL-2003 files ({@code token POS chunk NER}, four space-separated columns, IOB1 or IOB2).
 * One CAS per document: {@code -DOCSTART-} starts a new document and is never text (also as the
 * last line); a file without markers is one document. The text is the tokens joined by single
 * spaces, sentences by newlines; {@code Sentence}, {@code Token} and {@code NamedEntity} (value =
 * type) get exact offsets; the document id is the file's path plus {@code #<document index>}.
 * Unlike DKPro's {@code Conll2003Reader}, bad lines (not exactly four fields, unknown tags) are
 * errors naming file and line, and {@code .gz} files are read transparently.
 */
@ResourceMetaData(name = "FewNER CoNLL-2003 Reader")
@TypeCapability(
        outputs = {
            "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData",
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence",
            "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token",
            "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
        })
public class Conll2003Reader extends ColumnReaderBase {

    @Override
    protected int columns() {
        return 4;
    }

    @Override
    protected String columnsHint() {
        return "token POS chunk NER";
    }

    @Override
    protected boolean startsNewUnit(LabelledSentence sentence, int count) {
        return sentence.newDocument();
    }

    @Override
    protected String qualifier(int index) {
        return String.valueOf(index);
    }
}
