package org.fewner.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.FloatParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.fewner.common.FewNerException;

/**
 * The FewNER engine as a Spark ML {@link Transformer}: {@link #transform} keeps every input column
 * and row, in order, and adds {@link #outputCol()} (default {@code entities}), an array of structs
 * {@code begin, end, label, confidence, text, adapter} ({@link FewNerSpark#ENTITY}; offsets are
 * UTF-16 code units of the text). It runs the pipeline of {@code fewner annotate} in {@code
 * mapPartitions}, one model per executor JVM ({@link FewNerSpark}); saved and loaded with its
 * params ({@link #write()}, {@link #load(String)}), alone or inside a {@code PipelineModel}.
 *
 * <pre>{@code
 * FewNerTransformer ner = new FewNerTransformer()
 *         .setInputCol("text").setOutputCol("entities")
 *         .setModel("default").setMethod("span")
 *         .setSupportLocation("/shared/support.conll");
 * PipelineModel model = new Pipeline().setStages(new PipelineStage[] {ner}).fit(docs);
 * model.write().overwrite().save("/models/ner");
 * Dataset<Row> out = PipelineModel.load("/models/ner").transform(docs);   // docs' columns + entities
 * }</pre>
 *
 * <p>A null or blank text gives an empty array; a text that is not valid fails the job naming the
 * row ({@link #idCol()} if set, else its index in its partition), or with {@code invalidRows=skip}
 * gives null. With {@link #tokensCol()} (and optionally {@link #sentencesCol()}), arrays of structs
 * with integer {@code begin} and {@code end}, the rows are not segmented by OpenNLP: the engine
 * reads those sentences and tokens (a row whose tokens are null is segmented by OpenNLP). Counters
 * ({@link FewNerSpark.Counts}) are not params: give them with {@link #setCounts}.
 */
public class FewNerTransformer extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> idCol;
    private final Param<String> adapterCol;
    private final Param<String> sentencesCol;
    private final Param<String> tokensCol;
    private final BooleanParam inclusiveEnds;
    private final Param<String> model;
    private final Param<String> method;
    private final StringArrayParam methodOptions;
    private final StringArrayParam adapters;
    private final Param<String> defaultAdapter;
    private final Param<String> supportLocation;
    private final Param<String> supportFormat;
    private final StringArrayParam types;
    private final IntParam batchSize;
    private final FloatParam threshold;
    private final Param<String> invalidRows;
    private final Param<String> language;

    private transient FewNerSpark.Counts counts;
    private boolean requireId;

    /** A stage with a random uid and the default params. */
    public FewNerTransformer() {
        this(Identifiable$.MODULE$.randomUID("fewner"));
    }

    /** A stage with {@code uid} and the default params (the constructor loading uses). */
    public FewNerTransformer(String uid) {
        this.uid = uid;
        FewNerSparkConfig d = new FewNerSparkConfig();
        inputCol = new Param<>(this, "inputCol", "text column: string, or binary holding UTF-8");
        outputCol = new Param<>(this, "outputCol", "entities column to add");
        idCol =
                new Param<>(
                        this, "idCol", "document id column (any type), named in error messages");
        adapterCol =
                new Param<>(
                        this,
                        "adapterCol",
                        "string column naming each row's adapter (none: the base model; null:"
                                + " defaultAdapter)");
        sentencesCol =
                new Param<>(
                        this,
                        "sentencesCol",
                        "upstream sentences: array of struct(begin, end); needs tokensCol");
        tokensCol =
                new Param<>(
                        this,
                        "tokensCol",
                        "upstream tokens: array of struct(begin, end); set, OpenNLP does not"
                                + " segment");
        inclusiveEnds =
                new BooleanParam(
                        this,
                        "inclusiveEnds",
                        "upstream ends are inclusive (Spark NLP) rather than exclusive");
        model =
                new Param<>(
                        this,
                        "model",
                        "default, default-uncased, a model directory or sparkfiles:NAME");
        method = new Param<>(this, "method", "few-shot method");
        methodOptions = new StringArrayParam(this, "methodOptions", "method options key=value");
        adapters =
                new StringArrayParam(
                        this, "adapters", "LoRA adapters name=location (directory, sparkfiles:)");
        defaultAdapter =
                new Param<>(
                        this, "defaultAdapter", "adapter of rows without an adapter column value");
        supportLocation =
                new Param<>(this, "supportLocation", "support file: a path or sparkfiles:NAME");
        supportFormat = new Param<>(this, "supportFormat", "support file format (conll, ...)");
        types = new StringArrayParam(this, "types", "entity types (empty: all of the support)");
        batchSize = new IntParam(this, "batchSize", "sentences per forward pass (>= 1)");
        threshold = new FloatParam(this, "threshold", "entities below this confidence dropped");
        invalidRows =
                new Param<>(this, "invalidRows", "rows whose text is not valid: fail or skip");
        language = new Param<>(this, "language", "document language given to the segmenter");
        setDefault(inputCol, d.textColumn());
        setDefault(outputCol, "entities");
        setDefault(inclusiveEnds, false);
        setDefault(model, d.model());
        setDefault(method, d.method());
        setDefault(methodOptions, new String[0]);
        setDefault(adapters, new String[0]);
        setDefault(supportFormat, d.supportFormat());
        setDefault(types, new String[0]);
        setDefault(batchSize, d.batchSize());
        setDefault(threshold, d.threshold());
        setDefault(invalidRows, d.invalidRows().name().toLowerCase(Locale.ROOT));
        setDefault(language, d.language());
    }

    /** The stage of {@code c}'s engine settings (the columns are left at their defaults). */
    public static FewNerTransformer of(FewNerSparkConfig c) {
        FewNerTransformer t = new FewNerTransformer();
        t.setModel(c.model())
                .setMethod(c.method())
                .setMethodOptions(c.methodOptions().toArray(String[]::new))
                .setSupportLocation(c.support())
                .setSupportFormat(c.supportFormat())
                .setTypes(c.types().toArray(String[]::new))
                .setBatchSize(c.batchSize())
                .setThreshold(c.threshold())
                .setInvalidRows(c.invalidRows().name().toLowerCase(Locale.ROOT))
                .setLanguage(c.language())
                .setInclusiveEnds(c.inclusiveEnds());
        List<String> a = new ArrayList<>();
        c.adapters().forEach((n, l) -> a.add(n + "=" + l));
        t.setAdapters(a.toArray(String[]::new));
        if (c.defaultAdapter() != null) t.setDefaultAdapter(c.defaultAdapter());
        return t;
    }

    /** The reader of saved stages (what {@code PipelineModel.load} calls). */
    public static MLReader<FewNerTransformer> read() {
        return new DefaultParamsReader<>();
    }

    /** The stage saved at {@code path}. */
    public static FewNerTransformer load(String path) {
        return read().load(path);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public FewNerTransformer copy(ParamMap extra) {
        FewNerTransformer t = defaultCopy(extra);
        t.counts = counts;
        t.requireId = requireId;
        return t;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String out = getOutputCol();
        if (Arrays.asList(schema.fieldNames()).contains(out)) {
            throw new FewNerException(
                    "outputCol '" + out + "': already a column of the documents (choose another)");
        }
        PartitionAnnotator.layout(schema, config(), requireId);
        return schema.add(out, FewNerSpark.ENTITIES, true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Dataset<Row> in = dataset.toDF();
        StructType out = transformSchema(in.schema());
        FewNerSparkConfig c = config();
        PartitionAnnotator.Layout layout = PartitionAnnotator.layout(in.schema(), c, requireId);
        FewNerSpark.Counts n =
                counts != null ? counts : new FewNerSpark.Counts(in.sparkSession().sparkContext());
        return in.mapPartitions(
                (MapPartitionsFunction<Row, Row>)
                        rows -> PartitionAnnotator.annotate(rows, c, n, layout),
                Encoders.row(out));
    }

    /**
     * The executor-side config of these params.
     *
     * @throws FewNerException naming a param that is missing or wrong
     */
    FewNerSparkConfig config() {
        String rows = getInvalidRows();
        FewNerSparkConfig.InvalidRows r;
        try {
            r = FewNerSparkConfig.InvalidRows.valueOf(rows.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FewNerException("invalidRows '" + rows + "': expected fail or skip");
        }
        if (!isDefined(supportLocation)) {
            throw new FewNerException(
                    "supportLocation: not set (expected a support file: a path or"
                            + " sparkfiles:NAME)");
        }
        FewNerSparkConfig c =
                new FewNerSparkConfig()
                        .textColumn(getInputCol())
                        .idColumn(isDefined(idCol) ? getIdCol() : null)
                        .adapterColumn(isDefined(adapterCol) ? getAdapterCol() : null)
                        .sentencesColumn(isDefined(sentencesCol) ? getSentencesCol() : null)
                        .tokensColumn(isDefined(tokensCol) ? getTokensCol() : null)
                        .inclusiveEnds(getInclusiveEnds())
                        .model(getModel())
                        .method(getMethod())
                        .methodOptions(List.of(getMethodOptions()))
                        .support(getSupportLocation(), getSupportFormat())
                        .types(List.of(getTypes()))
                        .batchSize(getBatchSize())
                        .threshold(getThreshold())
                        .invalidRows(r)
                        .language(getLanguage())
                        .defaultAdapter(isDefined(defaultAdapter) ? getDefaultAdapter() : null);
        for (String a : getAdapters()) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) {
                throw new FewNerException("adapters '" + a + "': expected name=location");
            }
            c.adapter(a.substring(0, eq), a.substring(eq + 1));
        }
        c.check();
        return c;
    }

    /** Counters filled when an action runs the output (not a param: not saved). */
    public FewNerTransformer setCounts(FewNerSpark.Counts c) {
        counts = c;
        return this;
    }

    /** The counters given with {@link #setCounts}, or null. */
    public FewNerSpark.Counts getCounts() {
        return counts;
    }

    /** A null id is an invalid row ({@link FewNerSpark#annotate}). */
    FewNerTransformer requireId(boolean b) {
        requireId = b;
        return this;
    }

    // ---- params: accessors (found by Spark's reflection), getters and setters

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> idCol() {
        return idCol;
    }

    public Param<String> adapterCol() {
        return adapterCol;
    }

    public Param<String> sentencesCol() {
        return sentencesCol;
    }

    public Param<String> tokensCol() {
        return tokensCol;
    }

    public BooleanParam inclusiveEnds() {
        return inclusiveEnds;
    }

    public Param<String> model() {
        return model;
    }

    public Param<String> method() {
        return method;
    }

    public StringArrayParam methodOptions() {
        return methodOptions;
    }

    public StringArrayParam adapters() {
        return adapters;
    }

    public Param<String> defaultAdapter() {
        return defaultAdapter;
    }

    public Param<String> supportLocation() {
        return supportLocation;
    }

    public Param<String> supportFormat() {
        return supportFormat;
    }

    public StringArrayParam types() {
        return types;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public FloatParam threshold() {
        return threshold;
    }

    public Param<String> invalidRows() {
        return invalidRows;
    }

    public Param<String> language() {
        return language;
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    public String getIdCol() {
        return getOrDefault(idCol);
    }

    public String getAdapterCol() {
        return getOrDefault(adapterCol);
    }

    public String getSentencesCol() {
        return getOrDefault(sentencesCol);
    }

    public String getTokensCol() {
        return getOrDefault(tokensCol);
    }

    public boolean getInclusiveEnds() {
        return (Boolean) getOrDefault(inclusiveEnds);
    }

    public String getModel() {
        return getOrDefault(model);
    }

    public String getMethod() {
        return getOrDefault(method);
    }

    public String[] getMethodOptions() {
        return getOrDefault(methodOptions);
    }

    public String[] getAdapters() {
        return getOrDefault(adapters);
    }

    public String getDefaultAdapter() {
        return getOrDefault(defaultAdapter);
    }

    public String getSupportLocation() {
        return getOrDefault(supportLocation);
    }

    public String getSupportFormat() {
        return getOrDefault(supportFormat);
    }

    public String[] getTypes() {
        return getOrDefault(types);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    public float getThreshold() {
        return (Float) getOrDefault(threshold);
    }

    public String getInvalidRows() {
        return getOrDefault(invalidRows);
    }

    public String getLanguage() {
        return getOrDefault(language);
    }

    private <T> FewNerTransformer put(Param<T> p, T value) {
        set(p, value);
        return this;
    }

    /** The text column (string, or binary holding UTF-8). Default {@code text}. */
    public FewNerTransformer setInputCol(String c) {
        return put(inputCol, c);
    }

    /** The entities column added. Default {@code entities}. */
    public FewNerTransformer setOutputCol(String c) {
        return put(outputCol, c);
    }

    /** The document id column (any type), named in error messages. Default: none. */
    public FewNerTransformer setIdCol(String c) {
        return put(idCol, c);
    }

    /** A string column naming each row's adapter ({@code none}: the base model). */
    public FewNerTransformer setAdapterCol(String c) {
        return put(adapterCol, c);
    }

    /** Upstream sentences, array of struct(begin, end); needs {@link #setTokensCol}. */
    public FewNerTransformer setSentencesCol(String c) {
        return put(sentencesCol, c);
    }

    /** Upstream tokens, array of struct(begin, end): OpenNLP does not segment these rows. */
    public FewNerTransformer setTokensCol(String c) {
        return put(tokensCol, c);
    }

    /** Upstream ends are inclusive (Spark NLP's annotations). Default false. */
    public FewNerTransformer setInclusiveEnds(boolean b) {
        return put(inclusiveEnds, b);
    }

    /** {@code default}, {@code default-uncased}, a model directory or sparkfiles:NAME. */
    public FewNerTransformer setModel(String m) {
        return put(model, m);
    }

    /** The few-shot method. */
    public FewNerTransformer setMethod(String m) {
        return put(method, m);
    }

    /** Method options {@code key=value}. */
    public FewNerTransformer setMethodOptions(String... o) {
        return put(methodOptions, o);
    }

    /** LoRA adapters {@code name=location} (a directory, sparkfiles:NAME). */
    public FewNerTransformer setAdapters(String... a) {
        return put(adapters, a);
    }

    /** The adapter of rows without an adapter column value ({@code none}: the base model). */
    public FewNerTransformer setDefaultAdapter(String a) {
        return put(defaultAdapter, a);
    }

    /** The support file: a path every node sees or sparkfiles:NAME. Required. */
    public FewNerTransformer setSupportLocation(String s) {
        return put(supportLocation, s);
    }

    /** The support file's format. Default {@code conll}. */
    public FewNerTransformer setSupportFormat(String f) {
        return put(supportFormat, f);
    }

    /** The entity types to find (none: all of the support file). */
    public FewNerTransformer setTypes(String... t) {
        return put(types, t);
    }

    /** Sentences per forward pass. Default 16. */
    public FewNerTransformer setBatchSize(int b) {
        return put(batchSize, b);
    }

    /** Entities below this confidence are dropped. Default 0. */
    public FewNerTransformer setThreshold(float t) {
        return put(threshold, t);
    }

    /** {@code fail} (default) or {@code skip}: rows whose text is not valid. */
    public FewNerTransformer setInvalidRows(String r) {
        return put(invalidRows, r);
    }

    /** The document language given to the segmenter. Default {@code en}. */
    public FewNerTransformer setLanguage(String l) {
        return put(language, l);
    }
}
