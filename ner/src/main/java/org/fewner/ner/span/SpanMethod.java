package org.fewner.ner.span;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.model.Backbone;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.fewner.ner.encode.BackboneWordEncoder;

/**
 * BANER's two stages on a frozen encoder or decoder: class-agnostic span detection trained on
 * source corpora, then typing of each detected span by the nearest prototype built from the support
 * set, with a "no type" rejection ({@link SpanHeads}). Nothing learnt from one support set reaches
 * another: {@link #adapt} builds prototypes only.
 *
 * <p>Confidence of a mention: detection probability × typing probability (softmax over the
 * episode's types and "none").
 */
public final class SpanMethod implements FewShotMethod {
    public static final String NAME = "span";

    /** Key of the span settings in {@code adapter_config.json}. */
    public static final String CONFIG_KEY = SpanSettings.CONFIG_KEY;

    private final FeatureSource features;
    private final SpanHeads heads;
    private final AutoCloseable owner;
    private final int detectIndex;
    private final int typeIndex;
    private final DetectionAdaptation.Options adaptation;
    private final SpanDecoder.Settings decoding;

    /**
     * @param features word vectors providing at least the heads' detection and typing layers
     * @param heads the trained heads
     * @param owner closed with the method (the backbone), or null
     */
    public SpanMethod(FeatureSource features, SpanHeads heads, AutoCloseable owner) {
        this(features, heads, null, DetectionAdaptation.Options.NONE, owner);
    }

    /**
     * @param features word vectors providing at least the heads' detection and typing layers
     * @param heads the trained heads
     * @param decoding the "mixed" typing and joint decoding ({@link SpanDecoder}); null: the
     *     trained heads' own typing ({@link SpanHeads#type}) after greedy detection
     * @param adaptation the detector's support adaptation ({@link
     *     DetectionAdaptation.Options#NONE}: none)
     * @param owner closed with the method (the backbone), or null
     */
    public SpanMethod(
            FeatureSource features,
            SpanHeads heads,
            SpanDecoder.Settings decoding,
            DetectionAdaptation.Options adaptation,
            AutoCloseable owner) {
        if (decoding != null && !heads.hasProjection()) {
            throw new IllegalArgumentException("mixed typing needs trained typing heads");
        }
        this.features = features;
        this.heads = heads;
        this.decoding = decoding;
        this.adaptation = adaptation;
        this.owner = owner;
        this.detectIndex = indexOf(features.layers(), heads.config().detectLayer());
        this.typeIndex = indexOf(features.layers(), heads.config().typeLayer());
    }

    private static int indexOf(int[] layers, int layer) {
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] == layer) {
                return i;
            }
        }
        throw new IllegalArgumentException("layer " + layer + " is not among the features' layers");
    }

    /** Settings that may be changed at prediction time (null: as trained). */
    public record Overrides(
            Double threshold,
            String rejection,
            Double margin,
            Integer typeLayer,
            String typing,
            Double mix,
            Double meanMargin,
            Double projMargin,
            Double lengthBonus,
            Double similarityWeight) {
        public static final Overrides NONE =
                new Overrides(null, null, null, null, null, null, null, null, null, null);

        /** The overrides among the method options ({@code threshold}, {@code mix}, ...). */
        public static Overrides of(org.fewner.ner.MethodOptions options) {
            return new Overrides(
                    number(options, "threshold"),
                    options.get("rejection").orElse(null),
                    number(options, "margin"),
                    options.get(org.fewner.ner.MethodOptions.LAYER)
                            .map(Integer::parseInt)
                            .orElse(null),
                    options.get("typing").orElse(null),
                    number(options, "mix"),
                    number(options, "mean-margin"),
                    number(options, "proj-margin"),
                    number(options, "length-bonus"),
                    number(options, "similarity-weight"));
        }

        static Double number(org.fewner.ner.MethodOptions options, String key) {
            return options.get(key)
                    .map(
                            v -> {
                                try {
                                    return Double.parseDouble(v);
                                } catch (NumberFormatException e) {
                                    throw new FewNerException(
                                            "--method span: option "
                                                    + key
                                                    + " must be a number, got "
                                                    + FewNerException.quote(v));
                                }
                            })
                    .orElse(null);
        }
    }

    /** The {@code fewner_span} settings of an adapter directory ({@link SpanSettings}). */
    public static SpanSettings readSettings(Path adapterDir) {
        return SpanSettings.fromJson(
                LoraAdapter.read(adapterDir).config().extra().get(CONFIG_KEY),
                adapterDir.resolve("adapter_config.json"));
    }

    /**
     * The decoding settings of an adapter directory: {@code fewner_span.typing} {@code mixed} gives
     * {@link SpanDecoder} settings ({@code mix}, {@code mean_margin}, {@code proj_margin}, {@code
     * length_bonus}, {@code similarity_weight}); {@code projection} (adapters written before the
     * mixed typing) and {@code mean} (no trained typing) give null, the heads' own typing.
     */
    public static SpanDecoder.Settings readDecoding(Path adapterDir, Overrides o) {
        return decoding(readSettings(adapterDir), adapterDir, o);
    }

    private static SpanDecoder.Settings decoding(SpanSettings s, Path adapterDir, Overrides o) {
        String typing = s.typing(o);
        if (typing.equals("projection") || typing.equals("mean")) {
            return null;
        }
        if (!typing.equals("mixed")) {
            throw new FewNerException(
                    adapterDir.resolve("adapter_config.json")
                            + ": typing must be 'mixed' or 'projection', got "
                            + FewNerException.quote(typing));
        }
        return s.decoding(o);
    }

    /** Reads the heads and their settings from an adapter directory written by the trainer. */
    public static SpanHeads readHeads(Path adapterDir, Overrides o) {
        LoraAdapter a = LoraAdapter.read(adapterDir);
        SpanSettings s =
                SpanSettings.fromJson(
                        a.config().extra().get(CONFIG_KEY),
                        adapterDir.resolve("adapter_config.json"));
        return new SpanHeads(s.heads(o), a.heads());
    }

    /**
     * Loads the method on a backbone (owned by the method from then on) from an adapter directory.
     */
    public static SpanMethod load(Backbone backbone, Path adapterDir, Overrides o) {
        SpanHeads heads = readHeads(adapterDir, o);
        int[] layers =
                heads.config().detectLayer() == heads.config().typeLayer()
                        ? new int[] {heads.config().detectLayer()}
                        : new int[] {heads.config().detectLayer(), heads.config().typeLayer()};
        List<Integer> ls = new ArrayList<>();
        for (int l : layers) {
            ls.add(l);
        }
        BackboneWordEncoder enc =
                new BackboneWordEncoder(backbone, BackboneWordEncoder.Options.of(ls), true);
        return new SpanMethod(
                new EncoderFeatures(enc, layers),
                heads,
                readDecoding(adapterDir, o),
                DetectionAdaptation.Options.NONE,
                enc);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Where the shipped adapters live on the class path, one folder per default model. */
    static final String SHIPPED = "org/fewner/ner/span/adapters/";

    static final List<String> SHIPPED_FILES =
            List.of(
                    "adapter_config.json",
                    "adapter_model.safetensors",
                    "fewner_heads.safetensors",
                    "training.json");

    /**
     * The shipped adapter of a default model ({@code default}, {@code default-uncased}), copied
     * from the class path into a temporary directory; null when none is shipped for it.
     */
    public static Path shippedAdapter(String model) {
        ClassLoader cl = SpanMethod.class.getClassLoader();
        if (cl.getResource(SHIPPED + model + "/adapter_config.json") == null) {
            return null;
        }
        try {
            Path dir = java.nio.file.Files.createTempDirectory("fewner-span-" + model);
            // deleteOnExit runs in reverse order of registration: the folder first registered is
            // deleted last, once its files are gone (registered after it, it was left behind)
            dir.toFile().deleteOnExit();
            for (String f : SHIPPED_FILES) {
                dir.resolve(f).toFile().deleteOnExit();
                try (java.io.InputStream in = cl.getResourceAsStream(SHIPPED + model + "/" + f)) {
                    if (in != null) {
                        java.nio.file.Files.copy(in, dir.resolve(f));
                    }
                }
            }
            return dir;
        } catch (java.io.IOException e) {
            throw new FewNerException(
                    "cannot unpack the shipped span adapter of " + model + ": " + e, e);
        }
    }

    /**
     * The registry entry ({@code --method span}). Options: {@code adapter} (default: the adapter
     * shipped for {@code default}/{@code default-uncased}), {@code layer} (typing layer, as trained
     * by default), {@code threshold} (detection), {@code typing} (mixed|projection), {@code mix},
     * {@code mean-margin}, {@code proj-margin}, {@code length-bonus}, {@code similarity-weight}
     * (mixed typing, {@link SpanDecoder}), {@code rejection} (learnt|margin|off) and {@code margin}
     * (projection typing), {@code adapt-steps} (support adaptation of the detector, {@link
     * DetectionAdaptation}; 0 = off, the default), {@code adapt-lr} (0.003), {@code
     * adapt-positive-weight} (10), {@code adapt-l2} (0), {@code adapt-scope} (output|all).
     */
    public static DetectionAdaptation.Options adaptationOf(org.fewner.ner.MethodOptions options) {
        int steps =
                Overrides.number(options, "adapt-steps") == null
                        ? 0
                        : (int) (double) Overrides.number(options, "adapt-steps");
        if (steps < 0) {
            throw new FewNerException(
                    "--method span: option adapt-steps must be >= 0, got " + steps);
        }
        if (steps == 0) {
            return DetectionAdaptation.Options.NONE;
        }
        Double lr = Overrides.number(options, "adapt-lr");
        Double pw = Overrides.number(options, "adapt-positive-weight");
        Double l2 = Overrides.number(options, "adapt-l2");
        String scope = options.get("adapt-scope").orElse("output");
        DetectionAdaptation.Scope sc;
        try {
            sc = DetectionAdaptation.Scope.valueOf(scope.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FewNerException(
                    "--method span: option adapt-scope must be output or all, got "
                            + FewNerException.quote(scope));
        }
        return new DetectionAdaptation.Options(
                steps, lr == null ? 0.003 : lr, pw == null ? 10 : pw, l2 == null ? 0 : l2, sc);
    }

    /**
     * Refuses an adapter trained on another backbone ({@code fewner_base} in its {@code
     * adapter_config.json}, {@link org.fewner.llm.model.BackboneFingerprint}) before its heads are
     * read: the backbone shared through {@code options}, else the model directory named by {@code
     * model} (not looked up when only a shared encoder is given without a model name).
     */
    static void requireBackbone(Path adapter, org.fewner.ner.MethodOptions options, String model) {
        var recorded = org.fewner.llm.model.BackboneFingerprint.ofAdapter(adapter);
        if (recorded.isEmpty()) {
            return;
        }
        if (options.backbone().isPresent()) {
            Backbone b = options.backbone().get();
            Path source = b.tokenizer() == null ? null : b.tokenizer().source();
            Path dir = source == null ? null : source.toAbsolutePath().getParent();
            org.fewner.llm.model.BackboneFingerprint.requireCompatible(
                    adapter,
                    recorded.get(),
                    org.fewner.llm.model.BackboneFingerprint.of(
                            b.config(),
                            dir == null
                                    ? null
                                    : org.fewner.llm.model.BackboneFingerprint.vocabularyHash(dir),
                            model));
        } else if (options.encoder().isEmpty()
                || options.get(org.fewner.ner.MethodOptions.MODEL).isPresent()) {
            org.fewner.llm.model.BackboneFingerprint.requireCompatible(
                    adapter, options.modelDirectory(), model);
        }
    }

    /** The registry entry ({@code --method span}); its options: {@link #adaptationOf} above. */
    public static final class Provider implements org.fewner.ner.FewShotMethods.Provider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "source-trained span detection + prototype typing with a 'none' rejection (frozen backbone)";
        }

        @Override
        public FewShotMethod create(org.fewner.ner.MethodOptions options) {
            String model = options.get(org.fewner.ner.MethodOptions.MODEL, "default");
            Path adapter =
                    options.get(org.fewner.ner.MethodOptions.ADAPTER)
                            .map(Path::of)
                            .orElseGet(() -> shippedAdapter(model));
            if (adapter == null) {
                throw new FewNerException(
                        "--method span: no adapter shipped for --model "
                                + model
                                + "; train one (./fewner train --method span ...) and pass --adapter DIR, or use --method frozen-prototype (no training)");
            }
            if (options.get(org.fewner.ner.MethodOptions.ADAPTER).isPresent()) {
                requireBackbone(adapter, options, model);
            }
            Overrides o = Overrides.of(options);
            SpanHeads heads = readHeads(adapter, o);
            SpanDecoder.Settings decoding = readDecoding(adapter, o);
            DetectionAdaptation.Options adaptation = adaptationOf(options);
            int[] layers =
                    heads.config().detectLayer() == heads.config().typeLayer()
                            ? new int[] {heads.config().detectLayer()}
                            : new int[] {heads.config().detectLayer(), heads.config().typeLayer()};
            if (options.encoder().isPresent()) {
                return new SpanMethod(
                        new EncoderFeatures(options.encoder().get(), layers),
                        heads,
                        decoding,
                        adaptation,
                        null);
            }
            List<Integer> ls = new ArrayList<>();
            for (int l : layers) {
                ls.add(l);
            }
            if (options.backbone().isPresent()) {
                BackboneWordEncoder enc =
                        new BackboneWordEncoder(
                                options.backbone().get(),
                                BackboneWordEncoder.Options.of(ls),
                                false);
                return new SpanMethod(
                        new EncoderFeatures(enc, layers), heads, decoding, adaptation, enc);
            }
            ai.djl.Device device =
                    org.fewner.llm.device.DeviceSpec.parse(
                            options.get(org.fewner.ner.MethodOptions.DEVICE, "cpu"));
            Backbone backbone = org.fewner.llm.model.Models.load(options.modelDirectory(), device);
            BackboneWordEncoder enc =
                    new BackboneWordEncoder(backbone, BackboneWordEncoder.Options.of(ls), true);
            return new SpanMethod(
                    new EncoderFeatures(enc, layers), heads, decoding, adaptation, enc);
        }
    }

    public SpanHeads heads() {
        return heads;
    }

    public DetectionAdaptation.Options adaptation() {
        return adaptation;
    }

    /**
     * What one support set gives: the heads adapted to it (the trained ones when adaptation is off)
     * and its prototypes.
     */
    public final class Adapted implements Recognizer {
        private final SpanHeads adapted;
        private final Map<String, float[]> prototypes;
        private final Map<String, float[]> meanPrototypes;

        Adapted(
                SpanHeads adapted,
                Map<String, float[]> prototypes,
                Map<String, float[]> meanPrototypes) {
            this.adapted = adapted;
            this.prototypes = prototypes;
            this.meanPrototypes = meanPrototypes;
        }

        public SpanHeads heads() {
            return adapted;
        }

        public Map<String, float[]> prototypes() {
            return prototypes;
        }

        @Override
        public List<List<ScoredMention>> recognize(List<WordSentence> sentences) {
            return decoding == null
                    ? SpanMethod.this.recognize(adapted, sentences, prototypes)
                    : SpanMethod.this.recognizeMixed(
                            adapted, sentences, prototypes, meanPrototypes);
        }
    }

    @Override
    public Adapted adapt(SupportSet support, long seed) {
        List<List<String>> words = new ArrayList<>();
        for (LabeledSentence s : support.sentences()) {
            words.add(s.sentence().words());
        }
        float[][][] f = features.features(words);
        Map<String, List<float[]>> byType = new LinkedHashMap<>();
        Map<String, List<float[]>> meansByType = new LinkedHashMap<>();
        for (String t : support.types()) {
            byType.put(t, new ArrayList<>());
            meansByType.put(t, new ArrayList<>());
        }
        int h = features.hidden();
        List<DetectionAdaptation.Sentence> det = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            List<int[]> spans = new ArrayList<>();
            for (Mention m : support.sentences().get(i).mentions()) {
                byType.get(m.label()).add(heads.represent(f[i][typeIndex], h, m.start(), m.end()));
                meansByType
                        .get(m.label())
                        .add(SpanHeads.meanVector(f[i][typeIndex], h, m.start(), m.end()));
                spans.add(new int[] {m.start(), m.end()});
            }
            if (!words.get(i).isEmpty()) {
                det.add(
                        new DetectionAdaptation.Sentence(
                                f[i][detectIndex], words.get(i).size(), spans));
            }
        }
        Map<String, float[]> prototypes = heads.prototypes(byType);
        Map<String, float[]> meanPrototypes = new LinkedHashMap<>();
        for (Map.Entry<String, List<float[]>> e : meansByType.entrySet()) {
            if (!e.getValue().isEmpty()) {
                float[] m = new float[h];
                for (float[] v : e.getValue()) {
                    for (int j = 0; j < h; j++) {
                        m[j] += v[j];
                    }
                }
                meanPrototypes.put(e.getKey(), SpanHeads.normalise(m));
            }
        }
        return new Adapted(
                DetectionAdaptation.adapt(heads, det, adaptation), prototypes, meanPrototypes);
    }

    private List<List<ScoredMention>> recognizeMixed(
            SpanHeads heads,
            List<WordSentence> sentences,
            Map<String, float[]> prototypes,
            Map<String, float[]> meanPrototypes) {
        List<List<String>> words = new ArrayList<>();
        for (WordSentence s : sentences) {
            words.add(s.words());
        }
        float[][][] f = features.features(words);
        int h = features.hidden();
        List<String> names = new ArrayList<>(prototypes.keySet());
        List<float[]> projProtos = new ArrayList<>();
        List<float[]> meanProtos = new ArrayList<>();
        for (String n : names) {
            projProtos.add(prototypes.get(n));
            meanProtos.add(meanPrototypes.get(n));
        }
        List<List<ScoredMention>> out = new ArrayList<>();
        for (int i = 0; i < sentences.size(); i++) {
            List<ScoredMention> ms = new ArrayList<>();
            int t = sentences.get(i).size();
            if (t > 0 && !names.isEmpty()) {
                float[] xt = f[i][typeIndex];
                List<SpanDecoder.Scored> scored = new ArrayList<>();
                for (SpanHeads.Candidate c : heads.scoreSpans(f[i][detectIndex], t)) {
                    if (c.probability() < heads.config().threshold()) {
                        continue;
                    }
                    float[] r =
                            SpanHeads.normalise(SpanHeads.meanVector(xt, h, c.start(), c.end()));
                    float[] z = heads.represent(xt, h, c.start(), c.end());
                    scored.add(
                            SpanDecoder.score(
                                    c.start(),
                                    c.end(),
                                    c.probability(),
                                    r,
                                    z,
                                    meanProtos,
                                    projProtos,
                                    decoding));
                }
                for (SpanDecoder.Scored sc : SpanDecoder.select(scored)) {
                    ms.add(
                            new ScoredMention(
                                    new Mention(sc.start(), sc.end(), names.get(sc.type())),
                                    sc.probability()
                                            * typeProbability(sc, xt, h, meanProtos, projProtos)));
                }
            }
            out.add(ms);
        }
        return out;
    }

    /** Softmax over the types of {@code scale · s_c} at the chosen type (for the confidence). */
    private double typeProbability(
            SpanDecoder.Scored sc,
            float[] xt,
            int h,
            List<float[]> meanProtos,
            List<float[]> projProtos) {
        float[] r = SpanHeads.normalise(SpanHeads.meanVector(xt, h, sc.start(), sc.end()));
        float[] z = heads.represent(xt, h, sc.start(), sc.end());
        double sum = 0;
        for (int c = 0; c < meanProtos.size(); c++) {
            double s =
                    (1 - decoding.mix()) * SpanDecoder.dot(r, meanProtos.get(c))
                            + decoding.mix() * SpanDecoder.dot(z, projProtos.get(c));
            sum += Math.exp(heads.scale() * (s - sc.score()));
        }
        return 1 / sum;
    }

    private List<List<ScoredMention>> recognize(
            SpanHeads heads, List<WordSentence> sentences, Map<String, float[]> prototypes) {
        List<List<String>> words = new ArrayList<>();
        for (WordSentence s : sentences) {
            words.add(s.words());
        }
        float[][][] f = features.features(words);
        int h = features.hidden();
        List<List<ScoredMention>> out = new ArrayList<>();
        for (int i = 0; i < sentences.size(); i++) {
            List<ScoredMention> ms = new ArrayList<>();
            int t = sentences.get(i).size();
            if (t > 0 && !prototypes.isEmpty()) {
                for (SpanHeads.Candidate c : heads.detect(f[i][detectIndex], t)) {
                    float[] z = heads.represent(f[i][typeIndex], h, c.start(), c.end());
                    SpanHeads.Typed ty = heads.type(z, prototypes);
                    if (ty.type() != null) {
                        ms.add(
                                new ScoredMention(
                                        new Mention(c.start(), c.end(), ty.type()),
                                        c.probability() * ty.probability()));
                    }
                }
            }
            out.add(ms);
        }
        return out;
    }

    @Override
    public void close() {
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the backbone", e);
            }
        }
    }
}
