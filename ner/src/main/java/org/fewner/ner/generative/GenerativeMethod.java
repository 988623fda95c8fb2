package org.fewner.ner.generative;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.device.DeviceSpec;
import org.fewner.llm.generation.PromptTemplate;
import org.fewner.llm.generation.Span;
import org.fewner.llm.generation.SpanGenerator;
import org.fewner.llm.generation.Words;
import org.fewner.llm.lora.AdapterRegistry;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.Mention;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;

/**
 * CLLMFS's inference: a decoder LLM with an instruction-tuned LoRA adapter answers one prompt per
 * (sentence, entity type) under the span automaton ({@link SpanGenerator}), so every entity it
 * names is an exact span of the input; the spans map to word offsets.
 *
 * <p>Confidence of an entity: the probability of the whole constrained answer it belongs to, {@code
 * exp(Σ log p(y_t | ...))} with each {@code p} the model's softmax over the full vocabulary (the
 * mass the model gives outside the automaton's allowed tokens counts against it). Entities of
 * different types that overlap are resolved greedily by confidence (the recogniser's contract is
 * non-overlapping mentions).
 *
 * <p>The support set gives the types (and nothing else is learnt from it: the adapter was trained
 * on source data or on the K-shot set beforehand); type definitions come from the adapter's {@code
 * fewner_generative.definitions}. The (sentence, type) pairs of the sentences given to the
 * recogniser are answered {@code batch} at a time by one batched constrained search ({@link
 * SpanGenerator#generateBatch}: one left-padded prefill, every decoding step over the live
 * hypotheses of all pairs); with {@code share-prefix} the prompts' common prefix runs once per
 * batch (with this template only the instruction's first tokens: the type sits before the
 * sentence). The answers are those of one search per pair (a test checks it);
 * training/docs/generative.md has the throughput.
 */
public final class GenerativeMethod implements FewShotMethod {
    public static final String NAME = "generative";

    /** Key of the generative settings in {@code adapter_config.json} (written by the trainer). */
    public static final String CONFIG_KEY = "fewner_generative";

    /** Name under which the adapter is made resident. */
    static final String ADAPTER = "generative";

    private final DecoderModel model;
    private final AdapterRegistry registry;
    private final String adapterName;
    private final Map<String, String> definitions;
    private final int maxSpanWords;
    private final int beams;
    private final int maxNewTokens;
    private final int batch;
    private final boolean sharePrefix;
    private final boolean owned;

    /**
     * @param model the decoder
     * @param adapter the trained adapter, or null for the base model alone
     * @param owned whether {@link #close} closes the model
     */
    public GenerativeMethod(
            DecoderModel model, LoraAdapter adapter, boolean owned, int beams, int maxNewTokens) {
        this(model, adapter, owned, beams, maxNewTokens, 1, false);
    }

    /**
     * @param batch (sentence, type) pairs per batched search (1: one search per pair)
     * @param sharePrefix whether a batch runs its prompts' common prefix once
     */
    public GenerativeMethod(
            DecoderModel model,
            LoraAdapter adapter,
            boolean owned,
            int beams,
            int maxNewTokens,
            int batch,
            boolean sharePrefix) {
        if (batch < 1) {
            throw new FewNerException("batch must be >= 1, got " + batch);
        }
        this.batch = batch;
        this.sharePrefix = sharePrefix;
        this.model = model;
        this.owned = owned;
        this.beams = beams;
        this.maxNewTokens = maxNewTokens;
        this.registry = new AdapterRegistry(model);
        Map<String, String> defs = new HashMap<>();
        int msw = 8;
        if (adapter != null) {
            registry.add(ADAPTER, adapter);
            JsonNode g = adapter.config().extra().path(CONFIG_KEY);
            g.path("definitions")
                    .fields()
                    .forEachRemaining(e -> defs.put(e.getKey(), e.getValue().asText()));
            msw = g.path("max_span_words").asInt(8);
        }
        this.adapterName = adapter == null ? null : ADAPTER;
        this.definitions = Map.copyOf(defs);
        this.maxSpanWords = msw;
    }

    private GenerativeMethod(
            DecoderModel model,
            String adapterName,
            Map<String, String> definitions,
            int maxSpanWords,
            int beams,
            int maxNewTokens,
            int batch) {
        if (batch < 1) {
            throw new FewNerException("batch must be >= 1, got " + batch);
        }
        this.model = model;
        this.registry = null;
        this.owned = false;
        this.adapterName = adapterName;
        this.definitions = Map.copyOf(definitions);
        this.maxSpanWords = maxSpanWords;
        this.beams = beams;
        this.maxNewTokens = maxNewTokens;
        this.batch = batch;
        this.sharePrefix = batch > 1;
    }

    /**
     * The method over an adapter that is already resident on {@code model} under {@code
     * adapterName} (made so by another {@link AdapterRegistry}, e.g. LoRAHub's candidate), or the
     * base model when it is null. {@link #close} leaves the model and the adapter alone.
     *
     * @param definitions type definitions for the prompts (may be empty)
     * @param maxSpanWords the span automaton's longest entity in words
     */
    public static GenerativeMethod resident(
            DecoderModel model,
            String adapterName,
            Map<String, String> definitions,
            int maxSpanWords,
            int beams,
            int maxNewTokens,
            int batch) {
        return new GenerativeMethod(
                model, adapterName, definitions, maxSpanWords, beams, maxNewTokens, batch);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The mentions of one type in one sentence, with the answer's probability as confidence. */
    public List<ScoredMention> answer(String type, List<String> words) {
        return answers(List.of(query(type, words))).get(0);
    }

    private SpanGenerator.Query query(String type, List<String> words) {
        String text = String.join(" ", words);
        int[] s = new int[words.size()];
        int[] e = new int[words.size()];
        int pos = 0;
        for (int i = 0; i < words.size(); i++) {
            s[i] = pos;
            e[i] = pos + words.get(i).length();
            pos = e[i] + 1;
        }
        return new SpanGenerator.Query(type, definitions.get(type), text, new Words(s, e));
    }

    /** The mentions per query, from one batched search per {@code batch} queries. */
    private List<List<ScoredMention>> answers(List<SpanGenerator.Query> queries) {
        SpanGenerator gen = new SpanGenerator(model, PromptTemplate.DEFAULT, maxSpanWords);
        List<List<ScoredMention>> out = new ArrayList<>();
        for (int from = 0; from < queries.size(); from += batch) {
            List<SpanGenerator.Query> part =
                    queries.subList(from, Math.min(queries.size(), from + batch));
            for (SpanGenerator.Answer a :
                    gen.generateBatch(part, adapterName, beams, maxNewTokens, sharePrefix)) {
                double p = Math.exp(a.score());
                List<ScoredMention> ms = new ArrayList<>();
                for (Span sp : a.spans()) {
                    ms.add(
                            new ScoredMention(
                                    new Mention(sp.firstWord(), sp.lastWord() + 1, a.type()), p));
                }
                out.add(ms);
            }
        }
        return out;
    }

    @Override
    public Recognizer adapt(SupportSet support, long seed) {
        List<String> types = support.types();
        return sentences -> {
            List<SpanGenerator.Query> queries = new ArrayList<>();
            for (WordSentence ws : sentences) {
                if (ws.size() > 0) {
                    for (String t : types) {
                        queries.add(query(t, ws.words()));
                    }
                }
            }
            List<List<ScoredMention>> answers = answers(queries);
            List<List<ScoredMention>> out = new ArrayList<>();
            int next = 0;
            for (WordSentence ws : sentences) {
                List<ScoredMention> all = new ArrayList<>();
                if (ws.size() > 0) {
                    for (int t = 0; t < types.size(); t++) {
                        all.addAll(answers.get(next++));
                    }
                }
                out.add(resolve(all));
            }
            return out;
        };
    }

    /** Greedy by confidence, no overlaps, then in word order. */
    static List<ScoredMention> resolve(List<ScoredMention> all) {
        List<ScoredMention> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingDouble(ScoredMention::confidence).reversed());
        List<ScoredMention> kept = new ArrayList<>();
        for (ScoredMention m : sorted) {
            boolean free = true;
            for (ScoredMention k : kept) {
                free &=
                        m.mention().end() <= k.mention().start()
                                || k.mention().end() <= m.mention().start();
            }
            if (free) {
                kept.add(m);
            }
        }
        kept.sort(Comparator.comparingInt(m -> m.mention().start()));
        return kept;
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
        if (owned) {
            model.close();
        }
    }

    /**
     * Options: {@code model} (a decoder directory), {@code device}, {@code adapter} (the trained
     * adapter directory; without it the base model answers), {@code beams} (default 1: greedy),
     * {@code max-new-tokens} (default 64), {@code batch} ((sentence, type) pairs per batched
     * search, default 16; 1 = one search per pair), {@code share-prefix} (default true).
     */
    public static final class Provider implements org.fewner.ner.FewShotMethods.Provider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "CLLMFS: instruction-tuned decoder LLM (LoRA) answering per type under the span automaton";
        }

        @Override
        public FewShotMethod create(MethodOptions options) {
            int beams = options.getInt("beams", 1);
            int maxNew = options.getInt("max-new-tokens", 64);
            int batch = options.getInt("batch", 16);
            if (batch < 1) {
                throw new FewNerException("-O batch: expected at least 1, got " + batch);
            }
            String shareText = options.get("share-prefix", "true");
            if (!shareText.equals("true") && !shareText.equals("false")) {
                throw new FewNerException(
                        "-O share-prefix: expected true or false, got "
                                + FewNerException.quote(shareText));
            }
            boolean share = shareText.equals("true");
            LoraAdapter adapter =
                    options.get(MethodOptions.ADAPTER)
                            .map(p -> LoraAdapter.read(Path.of(p)))
                            .orElse(null);
            if (options.backbone().isPresent()) {
                if (!(options.backbone().get() instanceof DecoderModel d)) {
                    throw new FewNerException(
                            "--method generative needs a decoder LLM (llama, qwen2, mistral) as --model");
                }
                return new GenerativeMethod(d, adapter, false, beams, maxNew, batch, share);
            }
            Device device;
            try {
                device = DeviceSpec.parse(options.get(MethodOptions.DEVICE, "cpu"));
            } catch (IllegalArgumentException e) {
                throw new FewNerException("--device: " + e.getMessage(), e);
            }
            Backbone b = Models.load(options.modelDirectory(), device);
            if (!(b instanceof DecoderModel d)) {
                b.close();
                throw new FewNerException(
                        "--model "
                                + options.modelDirectory()
                                + ": --method generative needs a decoder LLM (llama, qwen2, mistral), got "
                                + b.config().modelType());
            }
            return new GenerativeMethod(d, adapter, true, beams, maxNew, batch, share);
        }
    }
}
