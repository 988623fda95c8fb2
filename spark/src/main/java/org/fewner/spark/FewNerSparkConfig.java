package org.fewner.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.uimaannotator.FewNerAnnotator;

/**
 * What {@link FewNerSpark#annotate} takes: the options of {@code fewner annotate} (model, adapters,
 * support file, method, types, batch size, threshold) plus the column names of the documents and
 * what to do with invalid rows. Fluent setters; serialised to the executors with the job.
 *
 * <p>Locations (model, adapters, support file) are read on the executors: {@code default} and
 * {@code default-uncased} (the model cache of the command line, {@code ~/.cache/fewner/models}), a
 * path every node sees (a shared file system), or {@code sparkfiles:NAME}, a file or directory
 * shipped with {@code spark-submit --files}/{@code --archives} or {@code SparkContext.addFile}
 * ({@code sparkfiles:} alone: the SparkFiles root directory itself, e.g. for an adapter's two files
 * shipped with {@code --files}).
 */
public final class FewNerSparkConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What happens to a row whose text is not valid text. */
    public enum InvalidRows {
        /** The job fails with an error naming the row id. */
        FAIL,
        /** The row gives no entity rows; it is counted ({@link FewNerSpark.Counts#invalid}). */
        SKIP
    }

    private String idColumn = "id";
    private String textColumn = "text";
    private String adapterColumn;
    private String sentencesColumn;
    private String tokensColumn;
    private boolean inclusiveEnds;
    private String model = "default";
    private final Map<String, String> adapters = new LinkedHashMap<>();
    private String adapter;
    private final List<String> types = new ArrayList<>();
    private String support;
    private String supportFormat = "conll";
    private String method = FewNerAnnotator.DEFAULT_METHOD;
    private final List<String> methodOptions = new ArrayList<>();
    private int batchSize = 16;
    private float threshold;
    private InvalidRows invalidRows = InvalidRows.FAIL;
    private String language = "en";

    /**
     * The id column (any type; read as a string), named in messages and given to the engine as the
     * document id. Default {@code id}; null: none (the Spark ML stage without an id column).
     */
    public FewNerSparkConfig idColumn(String c) {
        idColumn = c;
        return this;
    }

    /** The text column (string, or binary holding UTF-8). Default {@code text}. */
    public FewNerSparkConfig textColumn(String c) {
        textColumn = c;
        return this;
    }

    /**
     * A column naming the adapter of each row (an adapter name, {@code none} for the base model;
     * null or empty: {@link #adapter}, or the base model). Unset: every row gets {@link #adapter}.
     */
    public FewNerSparkConfig adapterColumn(String c) {
        adapterColumn = c;
        return this;
    }

    /**
     * A column of sentences from upstream: an array of structs with integer fields {@code begin}
     * and {@code end} (UTF-16 offsets into the text, end exclusive unless {@link #inclusiveEnds});
     * needs {@link #tokensColumn}. Unset: the tokens' rows are one sentence each (the engine
     * windows long ones).
     */
    public FewNerSparkConfig sentencesColumn(String c) {
        sentencesColumn = c;
        return this;
    }

    /**
     * A column of tokens from upstream, as {@link #sentencesColumn}. Set, the rows are not
     * segmented by OpenNLP: the engine reads these sentences and tokens (a row whose value is null
     * is segmented by OpenNLP). Unset: OpenNLP segments every row.
     */
    public FewNerSparkConfig tokensColumn(String c) {
        tokensColumn = c;
        return this;
    }

    /**
     * Whether the {@code end} of upstream sentences and tokens is inclusive (Spark NLP's
     * annotations) rather than exclusive. Default false.
     */
    public FewNerSparkConfig inclusiveEnds(boolean b) {
        inclusiveEnds = b;
        return this;
    }

    /** The model: {@code default}, {@code default-uncased}, a directory, or sparkfiles:NAME. */
    public FewNerSparkConfig model(String m) {
        model = m;
        return this;
    }

    /** Adds a LoRA adapter directory (or sparkfiles:NAME) under {@code name}. */
    public FewNerSparkConfig adapter(String name, String location) {
        adapters.put(name, location);
        return this;
    }

    /** The adapter of rows without an adapter column value (null: the base model). */
    public FewNerSparkConfig defaultAdapter(String name) {
        adapter = name;
        return this;
    }

    /** The entity types to find (none: all of the support file). */
    public FewNerSparkConfig types(List<String> t) {
        types.clear();
        types.addAll(t);
        return this;
    }

    /** The support file (path or sparkfiles:NAME) and its format ({@code conll}, ...). */
    public FewNerSparkConfig support(String location, String format) {
        support = location;
        supportFormat = format;
        return this;
    }

    /** The few-shot method. Default {@code span} (the engine's default). */
    public FewNerSparkConfig method(String m) {
        method = m;
        return this;
    }

    /** Method options {@code key=value}. */
    public FewNerSparkConfig methodOptions(List<String> o) {
        methodOptions.clear();
        methodOptions.addAll(o);
        return this;
    }

    /** Sentences per forward pass. Default 16. */
    public FewNerSparkConfig batchSize(int b) {
        batchSize = b;
        return this;
    }

    /** Entities below this confidence are dropped. Default 0. */
    public FewNerSparkConfig threshold(float t) {
        threshold = t;
        return this;
    }

    /** What to do with invalid rows. Default {@link InvalidRows#FAIL}. */
    public FewNerSparkConfig invalidRows(InvalidRows r) {
        invalidRows = r;
        return this;
    }

    /** The document language given to the segmenter. Default {@code en}. */
    public FewNerSparkConfig language(String l) {
        language = l;
        return this;
    }

    public String idColumn() {
        return idColumn;
    }

    public String textColumn() {
        return textColumn;
    }

    public String adapterColumn() {
        return adapterColumn;
    }

    public String sentencesColumn() {
        return sentencesColumn;
    }

    public String tokensColumn() {
        return tokensColumn;
    }

    public boolean inclusiveEnds() {
        return inclusiveEnds;
    }

    public String model() {
        return model;
    }

    public Map<String, String> adapters() {
        return adapters;
    }

    public String defaultAdapter() {
        return adapter;
    }

    public List<String> types() {
        return types;
    }

    public String support() {
        return support;
    }

    public String supportFormat() {
        return supportFormat;
    }

    public String method() {
        return method;
    }

    public List<String> methodOptions() {
        return methodOptions;
    }

    public int batchSize() {
        return batchSize;
    }

    public float threshold() {
        return threshold;
    }

    public InvalidRows invalidRows() {
        return invalidRows;
    }

    public String language() {
        return language;
    }

    /**
     * Checks what can be checked on the driver.
     *
     * @throws FewNerException naming the setting and what was expected
     */
    void check() {
        if (support == null || support.isBlank()) {
            throw new FewNerException("support: not set (expected a support file and its format)");
        }
        if (batchSize < 1) {
            throw new FewNerException("batchSize: must be >= 1, got " + batchSize);
        }
        if (adapter != null && !adapters.containsKey(adapter) && !adapter.equals("none")) {
            throw new FewNerException(
                    "defaultAdapter '"
                            + adapter
                            + "': not among the adapters ("
                            + String.join(", ", adapters.keySet())
                            + ")");
        }
        if (adapterColumn == null && adapter == null && adapters.size() > 1) {
            throw new FewNerException(
                    "adapters "
                            + adapters.keySet()
                            + ": several adapters need an adapter column or a default adapter");
        }
        if (textColumn == null || textColumn.isBlank() || idColumn != null && idColumn.isBlank()) {
            throw new FewNerException("id and text columns: names must not be empty");
        }
        if (sentencesColumn != null && tokensColumn == null) {
            throw new FewNerException(
                    "sentences column '"
                            + sentencesColumn
                            + "': needs a tokens column (without both, OpenNLP segments the text)");
        }
    }
}
