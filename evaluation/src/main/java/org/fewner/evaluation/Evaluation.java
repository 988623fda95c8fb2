package org.fewner.evaluation;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.llm.device.DeviceSpec;
import org.fewner.llm.lora.AdapterException;
import org.fewner.llm.lora.AdapterRegistry;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import org.fewner.ner.EncoderStats;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.encode.BackboneWordEncoder;
import org.fewner.ner.prototype.FrozenPrototypeMethod;

/**
 * One evaluation run: checks the source adapter, builds the method (for {@code frozen-prototype}
 * one variant per requested layer over one shared, cached encoder, so several layers cost one
 * forward pass per sentence), and runs the {@link Harness}.
 */
public final class Evaluation {
    private Evaluation() {}

    /**
     * What the command line asked for.
     *
     * @param method method name ({@link FewShotMethods})
     * @param model {@code default}, {@code default-uncased} or a model directory
     * @param device {@code cpu} or {@code gpu[:N]}
     * @param adapter a source-trained adapter directory, or null
     * @param layers layers to evaluate (several only for {@code frozen-prototype}); empty = the
     *     method's default
     * @param seed base seed
     * @param out output directory
     * @param resume continue a killed run in {@code out}
     * @param progress show a progress bar
     * @param methodOptions further {@code key=value} options for the method
     * @param cacheMb bound of the sentence-encoding cache in MiB
     * @param command the command line as typed, for results and reports
     */
    public record Options(
            String method,
            String model,
            String device,
            Path adapter,
            List<Integer> layers,
            long seed,
            Path out,
            boolean resume,
            boolean progress,
            Map<String, String> methodOptions,
            long cacheMb,
            String command) {}

    /**
     * The method used when {@code --method} is not given: the best one we have (the span method,
     * with the adapter shipped for {@code default} / {@code default-uncased}; another model needs
     * {@code --adapter DIR} or {@code --method frozen-prototype}).
     */
    public static final String DEFAULT_METHOD = org.fewner.ner.span.SpanMethod.NAME;

    /** Runs {@code protocol} as {@code o} says; per variant, its results. */
    public static List<Map<String, Object>> run(Protocol protocol, Options o) {
        return run(List.of(protocol), List.of(o.out()), o);
    }

    /**
     * Runs several protocols one after the other with the same methods (and, for {@code
     * frozen-prototype}, one shared encoder cache: e.g. the 1-shot and 5-shot cross-dataset
     * settings share their query encodings); protocol {@code i} writes to {@code outs.get(i)}.
     */
    public static List<Map<String, Object>> run(
            List<Protocol> protocols, List<Path> outs, Options o) {
        List<Map<String, Object>> sources = new ArrayList<>();
        for (Protocol p : protocols) {
            sources.add(
                    o.adapter() == null
                            ? SourceAdapter.none(o.method())
                            : SourceAdapter.check(o.adapter(), p.evaluationFiles(), o.model()));
        }
        Map<String, String> mo = new LinkedHashMap<>(o.methodOptions());
        mo.put(MethodOptions.MODEL, o.model());
        mo.put(MethodOptions.DEVICE, o.device());
        if (o.adapter() != null) mo.put(MethodOptions.ADAPTER, o.adapter().toString());
        MethodOptions options = MethodOptions.of(mo);
        if (o.adapter() != null && !o.method().equals(OpenNlpMethod.NAME)) {
            // an adapter of another backbone (the cased one on the uncased model) is refused
            // before any weight is read
            org.fewner.llm.model.BackboneFingerprint.requireCompatible(
                    o.adapter(), options.modelDirectory(), o.model());
        }
        List<FewShotMethod> methods = new ArrayList<>();
        List<Integer> variantLayers = new ArrayList<>();
        Backbone backbone = null;
        BackboneWordEncoder encoder = null;
        try {
            if (o.method().equals(FrozenPrototypeMethod.NAME)) {
                List<Integer> layers =
                        o.layers().isEmpty()
                                ? List.of(FrozenPrototypeMethod.DEFAULT_LAYER)
                                : o.layers();
                Device device;
                try {
                    device = DeviceSpec.parse(o.device());
                } catch (IllegalArgumentException e) {
                    throw new FewNerException("--device: " + e.getMessage(), e);
                }
                backbone = Models.load(options.modelDirectory(), device);
                String adapterName = null;
                if (o.adapter() != null) {
                    try {
                        AdapterRegistry.load(backbone, o.adapter(), "source");
                    } catch (AdapterException e) {
                        throw new FewNerException(o.adapter() + ": " + e.getMessage(), e);
                    }
                    adapterName = "source";
                }
                encoder =
                        new BackboneWordEncoder(
                                backbone,
                                BackboneWordEncoder.Options.of(layers)
                                        .withAdapter(adapterName)
                                        .withCacheBytes(o.cacheMb() << 20),
                                false);
                for (int layer : layers) {
                    methods.add(
                            FewShotMethods.create(
                                    o.method(),
                                    options.with(MethodOptions.LAYER, Integer.toString(layer))
                                            .withEncoder(encoder)));
                    variantLayers.add(layer);
                }
            } else {
                if (o.layers().size() > 1) {
                    throw new FewNerException(
                            "--layer "
                                    + o.layers()
                                    + ": several layers in one run only for frozen-prototype");
                }
                MethodOptions mopts =
                        o.layers().isEmpty()
                                ? options
                                : options.with(MethodOptions.LAYER, o.layers().get(0).toString());
                methods.add(FewShotMethods.create(o.method(), mopts));
                variantLayers.add(null);
            }
            List<Map<String, Object>> all = new ArrayList<>();
            BackboneWordEncoder enc = encoder;
            for (int i = 0; i < protocols.size(); i++) {
                Protocol protocol = protocols.get(i);
                Path out = outs.get(i);
                List<Harness.Variant> variants = new ArrayList<>();
                for (int v = 0; v < methods.size(); v++) {
                    Integer layer = variantLayers.get(v);
                    boolean several = methods.size() > 1;
                    String name = several ? o.method() + "-layer" + layer : o.method();
                    Path dir = several ? out.resolve("layer-" + layer) : out;
                    Map<String, Object> vc = new LinkedHashMap<>();
                    vc.put("method", o.method());
                    if (layer != null) vc.put("layer", layer);
                    variants.add(new Harness.Variant(name, methods.get(v), dir, vc));
                }
                try (TaskSource ignored = protocol.tasks()) {
                    all.addAll(
                            Harness.run(
                                    protocol,
                                    variants,
                                    out,
                                    new Harness.Settings(
                                            o.seed(),
                                            // with several protocols, one not started yet has no
                                            // checkpoint: it starts afresh
                                            o.resume()
                                                    && (protocols.size() == 1
                                                            || java.nio.file.Files.exists(
                                                                    out.resolve(
                                                                            "checkpoint.json"))),
                                            o.progress(),
                                            config(protocol, o),
                                            sources.get(i),
                                            o.command()),
                                    () -> enc == null ? Map.of() : stats(enc.stats())));
                }
            }
            return all;
        } finally {
            for (FewShotMethod m : methods) m.close();
            if (encoder != null) encoder.close();
            if (backbone != null) backbone.close();
        }
    }

    private static Map<String, Object> config(Protocol protocol, Options o) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("protocol", protocol.name());
        config.put("setting", protocol.setting());
        config.put("method", o.method());
        config.put("model", o.method().equals(OpenNlpMethod.NAME) ? null : o.model());
        config.put("adapter", o.adapter() == null ? null : o.adapter().toString());
        config.put("layers", o.layers());
        config.put("seed", o.seed());
        config.put("method_options", o.methodOptions());
        config.put("protocol_details", protocol.details());
        return config;
    }

    static Map<String, Object> stats(EncoderStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sentences_requested", s.requested());
        m.put("cache_hits", s.cacheHits());
        m.put("sentences_encoded", s.encoded());
        m.put("sentences_windowed", s.windowed());
        m.put("windows", s.windows());
        m.put("wordpieces_encoded", s.tokens());
        m.put("forward_seconds", Tally.round(s.forwardSeconds()));
        m.put(
                "wordpieces_per_second",
                Tally.round(s.forwardSeconds() > 0 ? s.tokens() / s.forwardSeconds() : 0));
        return m;
    }
}
