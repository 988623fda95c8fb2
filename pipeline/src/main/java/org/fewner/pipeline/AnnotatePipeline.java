package org.fewner.pipeline;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngineDescription;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.uima.analysis_engine.AnalysisEngineDescription;
import org.apache.uima.resource.ResourceInitializationException;
import org.fewner.common.FewNerException;
import org.fewner.uimaannotator.FewNerAnnotator;
import org.fewner.uimaannotator.FewNerModelResource;

/**
 * The pipeline of {@code fewner annotate}: {@link Segmentation#openNlpEnglish()} then the FewNER
 * engine with the model bound as a shared resource (one model per JVM). {@code fewner annotate},
 * {@code fewner spark annotate}, the Spark API and the benchmarks build their engines here and run
 * them through {@link DocumentAnnotator}, so that there is one code path for named-entity
 * recognition.
 *
 * <pre>{@code
 * AnnotatePipeline.Settings s = AnnotatePipeline.settings()
 *         .model("default").support("support.conll", "conll").build(); // method: span
 * try (DocumentAnnotator annotator = DocumentAnnotator.create(s)) {
 *     JCas jcas = annotator.annotate("Marie Curie visited Paris.", "en");
 * }
 * }</pre>
 */
public final class AnnotatePipeline {
    private AnnotatePipeline() {}

    /**
     * A builder of {@link Settings}: model {@code default}, method {@code span} (the engine's
     * default, {@link FewNerAnnotator#DEFAULT_METHOD}), device {@code cpu}.
     */
    public static Settings.Builder settings() {
        return new Settings.Builder();
    }

    /**
     * What the engine is given; immutable, with value equality (a key for pooled pipelines). Made
     * by {@link AnnotatePipeline#settings()}.
     */
    public static final class Settings {
        private final String model;
        private final String device;
        private final String method;
        private final List<String> methodOptions;
        private final Map<String, String> adapters;
        private final String adapter;
        private final String adapterSelector;
        private final List<String> adapterMapping;
        private final String support;
        private final String supportFormat;
        private final List<String> types;
        private final int batchSize;
        private final float threshold;
        private final int seed;
        private final boolean mappingEnabled;

        private Settings(Builder b, String adapter) {
            this.model = b.model;
            this.device = b.device;
            this.method = b.method;
            this.methodOptions = List.copyOf(b.methodOptions);
            this.adapters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.adapters));
            this.adapter = adapter;
            this.adapterSelector = b.adapterSelector;
            this.adapterMapping = List.copyOf(b.adapterMapping);
            this.support = b.support;
            this.supportFormat = b.supportFormat;
            this.types = List.copyOf(b.types);
            this.batchSize = b.batchSize;
            this.threshold = b.threshold;
            this.seed = b.seed;
            this.mappingEnabled = b.mappingEnabled;
        }

        /** {@code default}, {@code default-uncased} or a model directory. */
        public String model() {
            return model;
        }

        /** The device of the model: {@code cpu}, {@code gpu} or {@code gpu:N}. */
        public String device() {
            return device;
        }

        /** The few-shot method. */
        public String method() {
            return method;
        }

        /** {@code key=value} method options. */
        public List<String> methodOptions() {
            return methodOptions;
        }

        /** Adapter name -> directory (loaded once per JVM). */
        public Map<String, String> adapters() {
            return adapters;
        }

        /**
         * The adapter serving every document (null: the base model, unless {@link
         * #adapterSelector()} is set).
         */
        public String adapter() {
            return adapter;
        }

        /** The {@code DocumentMetaData} feature that chooses the adapter per document, or null. */
        public String adapterSelector() {
            return adapterSelector;
        }

        /** {@code value=adapter} pairs for {@link #adapterSelector()}. */
        public List<String> adapterMapping() {
            return adapterMapping;
        }

        /** The support file. */
        public String support() {
            return support;
        }

        /** The support file's format. */
        public String supportFormat() {
            return supportFormat;
        }

        /** The entity types (empty: all of the support file). */
        public List<String> types() {
            return types;
        }

        /** Sentences per forward pass. */
        public int batchSize() {
            return batchSize;
        }

        /** Entities below this confidence are dropped. */
        public float threshold() {
            return threshold;
        }

        /** The method's seed. */
        public int seed() {
            return seed;
        }

        /** Whether the engine maps labels to UIMA types (DKPro's mapping switch). */
        public boolean mappingEnabled() {
            return mappingEnabled;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Settings s
                    && model.equals(s.model)
                    && device.equals(s.device)
                    && method.equals(s.method)
                    && methodOptions.equals(s.methodOptions)
                    && adapters.equals(s.adapters)
                    && Objects.equals(adapter, s.adapter)
                    && Objects.equals(adapterSelector, s.adapterSelector)
                    && adapterMapping.equals(s.adapterMapping)
                    && support.equals(s.support)
                    && supportFormat.equals(s.supportFormat)
                    && types.equals(s.types)
                    && batchSize == s.batchSize
                    && Float.compare(threshold, s.threshold) == 0
                    && seed == s.seed
                    && mappingEnabled == s.mappingEnabled;
        }

        @Override
        public int hashCode() {
            return Objects.hash(
                    model,
                    device,
                    method,
                    methodOptions,
                    adapters,
                    adapter,
                    adapterSelector,
                    adapterMapping,
                    support,
                    supportFormat,
                    types,
                    batchSize,
                    threshold,
                    seed,
                    mappingEnabled);
        }

        @Override
        public String toString() {
            return "Settings[model="
                    + model
                    + ", device="
                    + device
                    + ", method="
                    + method
                    + ", methodOptions="
                    + methodOptions
                    + ", adapters="
                    + adapters
                    + ", adapter="
                    + adapter
                    + ", adapterSelector="
                    + adapterSelector
                    + ", adapterMapping="
                    + adapterMapping
                    + ", support="
                    + support
                    + ", supportFormat="
                    + supportFormat
                    + ", types="
                    + types
                    + ", batchSize="
                    + batchSize
                    + ", threshold="
                    + threshold
                    + ", seed="
                    + seed
                    + ", mappingEnabled="
                    + mappingEnabled
                    + "]";
        }

        /** Fluent setters; {@link #build()} checks and makes the immutable settings. */
        public static final class Builder {
            private String model = "default";
            private String device = "cpu";
            private String method = FewNerAnnotator.DEFAULT_METHOD;
            private final List<String> methodOptions = new ArrayList<>();
            private final Map<String, String> adapters = new LinkedHashMap<>();
            private String defaultAdapter;
            private String adapterSelector;
            private final List<String> adapterMapping = new ArrayList<>();
            private String support;
            private String supportFormat;
            private final List<String> types = new ArrayList<>();
            private int batchSize = 16;
            private float threshold;
            private int seed = 1;
            private boolean mappingEnabled = true;

            private Builder() {}

            /**
             * {@code default}, {@code default-uncased} or a model directory. Default {@code
             * default}.
             */
            public Builder model(String m) {
                model = Objects.requireNonNull(m, "model");
                return this;
            }

            /**
             * The device of the model: {@code cpu}, {@code gpu} or {@code gpu:N} (a GPU needs the
             * CUDA build, Maven profile {@code -Pgpu}). Default {@code cpu}.
             */
            public Builder device(String d) {
                device = Objects.requireNonNull(d, "device");
                return this;
            }

            /**
             * The few-shot method. Default {@code span} (its adapter shipped for {@code default}
             * and {@code default-uncased}; another model needs {@code frozen-prototype} or a span
             * adapter of its own, {@code methodOptions("adapter=DIR")}).
             */
            public Builder method(String m) {
                method = Objects.requireNonNull(m, "method");
                return this;
            }

            /** {@code key=value} method options (replacing any given before). */
            public Builder methodOptions(List<String> o) {
                methodOptions.clear();
                methodOptions.addAll(o);
                return this;
            }

            /** Adds a LoRA adapter directory under {@code name}. */
            public Builder adapter(String name, String location) {
                adapters.put(name, location);
                return this;
            }

            /** Adds the adapters of {@code byName} (name -> directory). */
            public Builder adapters(Map<String, String> byName) {
                adapters.putAll(byName);
                return this;
            }

            /**
             * The adapter serving every document ({@code none} or null: the base model; with a
             * single adapter and no selector that adapter serves every document).
             */
            public Builder defaultAdapter(String name) {
                defaultAdapter = name;
                return this;
            }

            /**
             * Chooses the adapter per document by the {@code DocumentMetaData} feature {@code
             * feature}, through {@code value=adapter} pairs.
             */
            public Builder adapterSelector(String feature, List<String> mapping) {
                adapterSelector = feature;
                adapterMapping.clear();
                adapterMapping.addAll(mapping);
                return this;
            }

            /** The support file and its format ({@code conll}, ...). */
            public Builder support(String location, String format) {
                support = location;
                supportFormat = format;
                return this;
            }

            /** The entity types to find (none: all of the support file). */
            public Builder types(List<String> t) {
                types.clear();
                types.addAll(t);
                return this;
            }

            /** Sentences per forward pass. Default 16. */
            public Builder batchSize(int b) {
                batchSize = b;
                return this;
            }

            /** Entities below this confidence are dropped. Default 0. */
            public Builder threshold(float t) {
                threshold = t;
                return this;
            }

            /** The method's seed. Default 1 (the engine's default). */
            public Builder seed(int s) {
                seed = s;
                return this;
            }

            /**
             * Whether labels are mapped to UIMA types (off: every entity is a {@code
             * ScoredNamedEntity} with its label as {@code value}). Default on, as the engine.
             */
            public Builder mappingEnabled(boolean on) {
                mappingEnabled = on;
                return this;
            }

            /**
             * The settings.
             *
             * @throws FewNerException without a support file, or with several adapters and neither
             *     a default adapter nor a selector
             */
            public Settings build() {
                if (support == null || supportFormat == null) {
                    throw new FewNerException(
                            "support: not set (expected a support file and its format)");
                }
                String adapter = null;
                if (adapterSelector == null) {
                    adapter = defaultAdapter;
                    if (adapter == null && adapters.size() == 1) {
                        adapter = adapters.keySet().iterator().next();
                    } else if (adapter == null && adapters.size() > 1) {
                        throw new FewNerException(
                                "adapters "
                                        + adapters.keySet()
                                        + ": several adapters need a default adapter or an"
                                        + " adapter selector");
                    }
                    if (FewNerAnnotator.NO_ADAPTER.equals(adapter)) adapter = null;
                }
                return new Settings(this, adapter);
            }
        }
    }

    /** Sentence and token segmentation (OpenNLP, English). */
    public static AnalysisEngineDescription segmentation() throws ResourceInitializationException {
        return Segmentation.openNlpEnglish();
    }

    /** The FewNER engine for {@code s}, its model bound as a shared resource. */
    public static AnalysisEngineDescription engine(Settings s)
            throws ResourceInitializationException {
        List<Object> params =
                new ArrayList<>(
                        List.of(
                                FewNerAnnotator.RES_MODEL,
                                FewNerModelResource.description(s.model(), s.device()),
                                FewNerAnnotator.PARAM_METHOD,
                                s.method(),
                                FewNerAnnotator.PARAM_METHOD_OPTIONS,
                                s.methodOptions().toArray(String[]::new),
                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                s.support(),
                                FewNerAnnotator.PARAM_SUPPORT_FORMAT,
                                s.supportFormat(),
                                FewNerAnnotator.PARAM_BATCH_SIZE,
                                s.batchSize(),
                                FewNerAnnotator.PARAM_CONFIDENCE_THRESHOLD,
                                s.threshold(),
                                FewNerAnnotator.PARAM_SEED,
                                s.seed(),
                                FewNerAnnotator.PARAM_MAPPING_ENABLED,
                                s.mappingEnabled()));
        if (!s.types().isEmpty()) {
            params.add(FewNerAnnotator.PARAM_ENTITY_TYPES);
            params.add(s.types().toArray(String[]::new));
        }
        if (!s.adapters().isEmpty()) {
            params.add(FewNerAnnotator.PARAM_ADAPTERS);
            params.add(
                    s.adapters().entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .toArray(String[]::new));
        }
        if (s.adapter() != null) {
            params.add(FewNerAnnotator.PARAM_ADAPTER);
            params.add(s.adapter());
        }
        if (s.adapterSelector() != null) {
            params.add(FewNerAnnotator.PARAM_ADAPTER_SELECTOR);
            params.add(s.adapterSelector());
            params.add(FewNerAnnotator.PARAM_ADAPTER_MAPPING);
            params.add(s.adapterMapping().toArray(String[]::new));
        }
        return createEngineDescription(FewNerAnnotator.class, params.toArray());
    }
}
