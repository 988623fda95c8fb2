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
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.encode.BackboneWordEncoder;
import org.fewner.ner.encode.EncoderStats;
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

    /** The method used when {@code --method} is not given: the best one we have. */
    public static final String DEFAULT_METHOD = FrozenPrototypeMethod.NAME;

    /** Runs {@code protocol} as {@code o} says; per variant, its results. */
    public static List<Map<String, Object>> run(Protocol protocol, Options o) {
        Map<String, Object> source =
                o.adapter() == null
                        ? SourceAdapter.none(o.method())
                        : SourceAdapter.check(o.adapter(), protocol.evaluationFiles(), o.model());
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
        Map<String, String> mo = new LinkedHashMap<>(o.methodOptions());
        mo.put(MethodOptions.MODEL, o.model());
        mo.put(MethodOptions.DEVICE, o.device());
        if (o.adapter() != null) mo.put(MethodOptions.ADAPTER, o.adapter().toString());
        MethodOptions options = MethodOptions.of(mo);
        List<Harness.Variant> variants = new ArrayList<>();
        List<FewShotMethod> methods = new ArrayList<>();
        Backbone backbone = null;
        BackboneWordEncoder encoder = null;
        try (TaskSource ignored = protocol.tasks()) {
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
                    FewShotMethod m =
                            FewShotMethods.create(
                                    o.method(),
                                    options.with(MethodOptions.LAYER, Integer.toString(layer))
                                            .withEncoder(encoder));
                    methods.add(m);
                    String name = layers.size() > 1 ? o.method() + "-layer" + layer : o.method();
                    Path dir = layers.size() > 1 ? o.out().resolve("layer-" + layer) : o.out();
                    Map<String, Object> vc = new LinkedHashMap<>();
                    vc.put("method", o.method());
                    vc.put("layer", layer);
                    variants.add(new Harness.Variant(name, m, dir, vc));
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
                FewShotMethod m = FewShotMethods.create(o.method(), mopts);
                methods.add(m);
                Map<String, Object> vc = new LinkedHashMap<>();
                vc.put("method", o.method());
                variants.add(new Harness.Variant(o.method(), m, o.out(), vc));
            }
            BackboneWordEncoder enc = encoder;
            return Harness.run(
                    protocol,
                    variants,
                    o.out(),
                    new Harness.Settings(
                            o.seed(), o.resume(), o.progress(), config, source, o.command()),
                    () -> enc == null ? Map.of() : stats(enc.stats()));
        } finally {
            for (FewShotMethod m : methods) m.close();
            if (encoder != null) encoder.close();
            if (backbone != null) backbone.close();
        }
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
