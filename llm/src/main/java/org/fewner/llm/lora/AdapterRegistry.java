package org.fewner.llm.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.BackboneFingerprint;
import org.fewner.llm.model.BackboneOutput;
import org.fewner.llm.nn.LinearLayer;
import org.fewner.llm.nn.LoraWeights;

/**
 * Several LoRA adapters resident on one loaded {@link Backbone}, as PEFT keeps {@code lora_A[name]}
 * per layer. Each forward call names its adapter (or none), so switching costs nothing and the base
 * is never reloaded; two threads may use different adapters at the same time. One adapter at a time
 * can be merged into the base weights for speed ({@link #merge}); while it is merged only calls
 * naming it are allowed.
 *
 * <p>Adapter arrays live in a sub-manager of the backbone's manager per adapter (freed on {@link
 * #remove}). {@link #forward} takes a read lock and {@link #merge}/{@link #unmerge}/{@link
 * #add}/{@link #remove} a write lock, so those never overlap a forward made through this registry.
 */
public final class AdapterRegistry implements AutoCloseable {
    private final Backbone backbone;
    private final LinearModules base;
    private final Map<String, Resident> adapters = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile String merged;

    /** What one adapter put on the backbone. */
    private record Resident(
            LoraAdapter source, NDManager manager, Map<String, LoraWeights> layers) {}

    public AdapterRegistry(Backbone backbone) {
        this.backbone = backbone;
        this.base = LinearModules.of(backbone);
    }

    public Backbone backbone() {
        return backbone;
    }

    /** The base's linear layers as adapters see them. */
    public LinearModules base() {
        return base;
    }

    /**
     * Reads an adapter directory and makes it resident under {@code name}; returns the adapter as
     * read.
     */
    public LoraAdapter load(Path dir, String name) {
        LoraAdapter a = LoraAdapter.read(dir);
        requireSameVocabulary(dir, a);
        try {
            add(name, a);
        } catch (AdapterException e) {
            throw new AdapterException(dir, e.getMessage(), e);
        }
        return a;
    }

    /**
     * Refuses an adapter whose recorded vocabulary hash ({@link BackboneFingerprint}) differs from
     * the backbone's (sizes are checked by {@link LoraAdapter#bind}).
     */
    private void requireSameVocabulary(Path dir, LoraAdapter a) {
        com.fasterxml.jackson.databind.JsonNode fb = a.config().extra().get(LoraConfig.FEWNER_BASE);
        if (fb == null || !fb.hasNonNull("vocab_sha256") || backbone.tokenizer() == null) {
            return;
        }
        Path source = backbone.tokenizer().source();
        if (source == null || source.getParent() == null) {
            return;
        }
        BackboneFingerprint.requireCompatible(
                dir,
                BackboneFingerprint.fromJson(fb),
                BackboneFingerprint.of(
                        backbone.config(),
                        BackboneFingerprint.vocabularyHash(source.getParent()),
                        source.getParent().getFileName().toString()));
    }

    /**
     * One-call form for tools: a registry on {@code backbone} with the adapter in {@code dir}
     * resident as {@code name}.
     */
    public static AdapterRegistry load(Backbone backbone, Path dir, String name) {
        AdapterRegistry r = new AdapterRegistry(backbone);
        r.load(dir, name);
        return r;
    }

    /**
     * Makes {@code adapter} resident under {@code name} (checked against the base first, see {@link
     * LoraAdapter#bind}); replaces an adapter of that name.
     */
    public void add(String name, LoraAdapter adapter) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an adapter needs a non-empty name");
        }
        Map<String, LoraAdapter.Bound> bound = adapter.bind(base);
        lock.writeLock().lock();
        try {
            if (name.equals(merged)) {
                throw new IllegalStateException(
                        "adapter '" + name + "' is merged; unmerge it before replacing it");
            }
            removeUnlocked(name);
            NDManager m = backbone.manager().newSubManager();
            Map<String, LoraWeights> layers = new LinkedHashMap<>();
            float dropout = (float) adapter.config().loraDropout();
            for (LoraAdapter.Bound b : bound.values()) {
                LoraAdapter.Module mod = b.module();
                NDArray a = m.create(mod.a(), new Shape(mod.r(), mod.in()));
                NDArray bb = m.create(mod.b(), new Shape(mod.out(), mod.r()));
                LoraWeights w = new LoraWeights(a, bb, b.scale(), dropout);
                layers.put(b.layer(), w);
            }
            Map<String, LinearLayer> linear = backbone.linearLayers();
            layers.forEach((layer, w) -> linear.get(layer).putAdapter(name, w));
            adapters.put(name, new Resident(adapter, m, layers));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes an adapter and frees its arrays (refused while it is merged). */
    public void remove(String name) {
        lock.writeLock().lock();
        try {
            if (name.equals(merged)) {
                throw new IllegalStateException(
                        "adapter '" + name + "' is merged; unmerge it before removing it");
            }
            removeUnlocked(name);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void removeUnlocked(String name) {
        Resident r = adapters.remove(name);
        if (r != null) {
            Map<String, LinearLayer> linear = backbone.linearLayers();
            r.layers().keySet().forEach(l -> linear.get(l).removeAdapter(name));
            r.manager().close();
        }
    }

    /** Names of the resident adapters, sorted. */
    public Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(adapters.keySet()));
    }

    /**
     * Layer name → the resident arrays of one adapter (the live arrays: training updates them in
     * place).
     */
    public Map<String, LoraWeights> weights(String name) {
        return Collections.unmodifiableMap(resident(name).layers());
    }

    /**
     * The adapter's A and B arrays, marked {@code requiresGradient}, in layer order (A then B per
     * layer): what a trainer hands to its optimizer. The base weights are frozen ({@link
     * LinearLayer#freezeBase}) at the same time.
     */
    public List<NDArray> trainableParameters(String name) {
        Resident r = resident(name);
        backbone.linearLayers().values().forEach(LinearLayer::freezeBase);
        List<NDArray> out = new ArrayList<>();
        for (LoraWeights w : r.layers().values()) {
            w.a().setRequiresGradient(true);
            w.b().setRequiresGradient(true);
            out.add(w.a());
            out.add(w.b());
        }
        return out;
    }

    /** The adapter as it is now (e.g. after training), ready to {@link LoraAdapter#write}. */
    public LoraAdapter export(String name) {
        Resident r = resident(name);
        Map<String, LoraAdapter.Module> modules = new LinkedHashMap<>();
        boolean prefixed =
                r.source().modules().keySet().stream()
                        .anyMatch(n -> n.startsWith(base.basePrefix()));
        for (Map.Entry<String, LoraWeights> e : r.layers().entrySet()) {
            LoraWeights w = e.getValue();
            float[] a = w.a().toFloatArray();
            float[] b = w.b().toFloatArray();
            int rank = w.rank();
            String key = base.peftName(base.canonical(e.getKey()), prefixed);
            modules.put(key, new LoraAdapter.Module(rank, a.length / rank, b.length / rank, a, b));
        }
        return new LoraAdapter(r.source().config(), modules, r.source().heads());
    }

    /**
     * A forward pass with adapter {@code name} (null: the base alone); see {@link
     * Backbone#forward}.
     */
    public BackboneOutput forward(
            NDManager callManager, long[][] inputIds, long[][] attentionMask, String name) {
        if (name != null && !adapters.containsKey(name)) {
            throw new AdapterException(
                    "no adapter named '" + name + "' (resident: " + names() + ")");
        }
        lock.readLock().lock();
        try {
            String m = merged;
            if (m != null && !m.equals(name)) {
                throw new IllegalStateException(
                        "adapter '"
                                + m
                                + "' is merged into the base; unmerge it before running "
                                + (name == null ? "the base alone" : "adapter '" + name + "'"));
            }
            return backbone.forward(callManager, inputIds, attentionMask, name);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Merges adapter {@code name} into the base weights ({@code W += scale·B·A} on each of its
     * layers). Until {@link #unmerge}, only forward calls naming this adapter are allowed (they
     * then skip the LoRA branch).
     */
    public void merge(String name) {
        Resident r = resident(name);
        lock.writeLock().lock();
        try {
            if (merged != null) {
                throw new IllegalStateException(
                        "adapter '" + merged + "' is already merged; unmerge it first");
            }
            Map<String, LinearLayer> linear = backbone.linearLayers();
            for (String layer : r.layers().keySet()) {
                linear.get(layer).mergeAdapter(name, sharesWeight(layer));
            }
            // every adapter has at least one layer, and a merged layer refuses calls naming another
            // adapter or none
            merged = name;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Undoes {@link #merge}; the base comes back to within float32 rounding (bound in
     * llm/docs/lora.md).
     */
    public void unmerge() {
        lock.writeLock().lock();
        try {
            if (merged == null) {
                return;
            }
            for (LinearLayer l : backbone.linearLayers().values()) {
                l.unmergeAdapter();
            }
            merged = null;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Whether a layer's weight array may be shared with the input embeddings: the output layer of a
     * model with {@code tie_word_embeddings}. Merging must not change it in place (reference
     * README, pitfall 6).
     */
    private boolean sharesWeight(String layer) {
        if (!base.canonical(layer).equals(base.outputLayer())) {
            return false;
        }
        var c = base.config();
        return c instanceof org.fewner.llm.config.BertConfig b
                ? b.tieWordEmbeddings()
                : ((org.fewner.llm.config.DecoderConfig) c).tieWordEmbeddings();
    }

    /** The merged adapter, or null. */
    public String merged() {
        return merged;
    }

    private Resident resident(String name) {
        Resident r = adapters.get(name);
        if (r == null) {
            throw new AdapterException(
                    "no adapter named '" + name + "' (resident: " + names() + ")");
        }
        return r;
    }

    /** Unmerges and removes every adapter (the backbone stays open). */
    @Override
    public void close() {
        unmerge();
        lock.writeLock().lock();
        try {
            new ArrayList<>(adapters.keySet()).forEach(this::removeUnlocked);
        } finally {
            lock.writeLock().unlock();
        }
    }
}
