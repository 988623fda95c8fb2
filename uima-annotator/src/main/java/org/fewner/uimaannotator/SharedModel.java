package org.fewner.uimaannotator;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.fewner.common.FewNerException;
import org.fewner.llm.hub.DefaultModels;
import org.fewner.llm.lora.AdapterRegistry;
import org.fewner.llm.model.Backbone;
import org.fewner.llm.model.Models;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.FewShotMethods;
import org.fewner.ner.MethodOptions;
import org.fewner.ner.SupportSet;
import org.fewner.ner.prototype.FrozenPrototypeMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded model (backbone, its resident LoRA adapters, the methods made on it and the
 * recognisers adapted from support sets) and the JVM's one cache of them. {@link
 * FewNerModelResource} (the {@link FewNerAnnotator#RES_MODEL} resource, also what an engine makes
 * for itself from {@link FewNerAnnotator#PARAM_MODEL_LOCATION}) gets its model here with {@link
 * #acquire} and gives it back with {@link #release} when UIMA destroys it; the cache, keyed by the
 * model's real directory and counting its holders, makes resources of different resource managers
 * (each {@code createEngine} call has its own) and the benches share one backbone, which is closed
 * when the last holder releases it.
 *
 * <p>Methods come from the one registry, {@link FewShotMethods}, on the shared backbone ({@link
 * MethodOptions#withBackbone}), told the model's location ({@code model}) and, with an adapter, its
 * resident name ({@code resident-adapter}) and directory ({@code adapter}).
 *
 * <p>Thread-safe: loading adapters, making methods and adapting support sets are synchronised on
 * this object and happen once per key; the backbone's forward passes are thread-safe by {@link
 * Backbone}'s contract and the recognisers by {@link FewShotMethod}'s.
 */
public final class SharedModel {
    private static final Logger LOG = LoggerFactory.getLogger(SharedModel.class);

    /** Loaded models by real directory path and device. */
    private static final Map<Key, SharedModel> LOADED = new HashMap<>();

    /** How many backbones this JVM has loaded (tests check "one model per JVM"). */
    private static final AtomicInteger LOADS = new AtomicInteger();

    private final Path directory;
    private final Key key;
    private final String location;
    private final Backbone backbone;
    private final AdapterRegistry adapters;
    private final Map<String, Path> adapterLocations = new LinkedHashMap<>();
    private final Map<String, FewShotMethod> methods = new HashMap<>();

    /**
     * Recognisers by (method, adapter, options, seed, support set), least recently used first and
     * bounded by {@link #MAX_RECOGNIZERS}: engines keep their own references, so an evicted one is
     * only adapted again when another engine asks for it. The bound matters where support sets
     * change at run time (a CAS-carried support view, a recommender's trainings).
     */
    private final Map<List<Object>, FewShotMethod.Recognizer> recognizers =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(
                        Map.Entry<List<Object>, FewShotMethod.Recognizer> eldest) {
                    return size() > MAX_RECOGNIZERS;
                }
            };

    /** At most this many adapted recognisers are kept for reuse. */
    public static final int MAX_RECOGNIZERS = 64;

    private final List<java.util.function.DoubleSupplier> forwardClocks =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private int holders;
    private volatile boolean closed;

    /**
     * Sentence-cache bound of frozen-prototype's encoder in the engine (documents rarely repeat).
     */
    static final long CACHE_BYTES = 16L << 20;

    private SharedModel(String location, Key key, Path directory, Backbone backbone) {
        this.location = location;
        this.key = key;
        this.directory = directory;
        this.backbone = backbone;
        this.adapters = new AdapterRegistry(backbone);
    }

    /**
     * The model at {@code location} ({@code default}, {@code default-uncased}, a model directory,
     * or a model on the class path: {@code classpath:FOLDER} or {@code
     * mvn:GROUP:ARTIFACT[:VERSION]}, {@link ClasspathLocations}) on the CPU, loaded on first use
     * (the default models are fetched from Maven Central once, with a progress bar) and shared
     * afterwards. Each call must be paired with {@link #release}.
     *
     * @throws FewNerException when the location is neither a default name nor a model directory
     */
    public static SharedModel acquire(String location) {
        return acquire(location, Device.cpu());
    }

    /**
     * The model at {@code location} on {@code device} (one model per directory and device), as
     * {@link #acquire(String)}.
     */
    public static SharedModel acquire(String location, Device device) {
        Path dir = resolve(location);
        Key key = new Key(dir, device.toString());
        synchronized (LOADED) {
            SharedModel m = LOADED.get(key);
            if (m == null) {
                long t0 = System.nanoTime();
                Backbone b;
                try {
                    b = Models.load(dir, device);
                } catch (RuntimeException e) {
                    throw new FewNerException(
                            dir + ": cannot load the model: " + e.getMessage(), e);
                }
                LOADS.incrementAndGet();
                LOG.info(
                        "loaded model {} from {} on {} in {} ms",
                        location,
                        dir,
                        device,
                        (System.nanoTime() - t0) / 1_000_000);
                m = new SharedModel(location, key, dir, b);
                LOADED.put(key, m);
            }
            m.holders++;
            return m;
        }
    }

    /** A loaded model's cache key: its real directory and its device. */
    private record Key(Path directory, String device) {}

    /** Gives back one {@link #acquire}; the last one closes the model. */
    public void release() {
        synchronized (LOADED) {
            if (--holders > 0) {
                return;
            }
            LOADED.remove(key);
        }
        synchronized (this) {
            methods.values().forEach(FewShotMethod::close);
            methods.clear();
            recognizers.clear();
            adapters.close();
            backbone.close();
            closed = true;
        }
    }

    /** Whether the last holder has released this model (its backbone is closed). */
    public boolean isClosed() {
        return closed;
    }

    /** Number of backbones loaded in this JVM so far. */
    public static int loads() {
        return LOADS.get();
    }

    /** The model directory of a location (the default models are fetched when missing). */
    static Path resolve(String location) {
        if (location == null || location.isBlank()) {
            throw new FewNerException(
                    "modelLocation: empty (expected default, default-uncased or a model directory)");
        }
        if (ClasspathLocations.isClasspath(location)) {
            try {
                return ClasspathLocations.directory(location).toRealPath();
            } catch (java.io.IOException e) {
                throw new FewNerException("modelLocation " + location + ": " + e.getMessage(), e);
            }
        }
        if (DefaultModels.names().contains(location)) {
            try {
                return DefaultModels.resolve(location, true).toRealPath();
            } catch (java.io.IOException e) {
                throw new FewNerException(
                        "modelLocation " + location + ": cannot obtain the default model: " + e, e);
            }
        }
        Path dir = Path.of(location.startsWith("file:") ? location.substring(5) : location);
        if (!Files.isDirectory(dir)) {
            throw new FewNerException(
                    "modelLocation "
                            + location
                            + ": not a directory (expected default, default-uncased, a model "
                            + "directory with config.json and model.safetensors, or classpath:FOLDER"
                            + " / mvn:GROUP:ARTIFACT[:VERSION] for a model jar on the class path)");
        }
        try {
            return dir.toRealPath();
        } catch (java.io.IOException e) {
            throw new FewNerException("modelLocation " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * The name methods are told the model has: the location as given, or the default model's name
     * when the location is a directory that is that default model's cache directory.
     */
    String modelName() {
        if (DefaultModels.names().contains(location)) return location;
        for (String name : DefaultModels.names()) {
            Path cached = DefaultModels.cacheRoot().resolve(DefaultModels.spec(name).name());
            try {
                if (Files.isDirectory(cached) && cached.toRealPath().equals(directory)) return name;
            } catch (java.io.IOException e) {
                // not that model
            }
        }
        return location;
    }

    /** The device the model runs on. */
    public String device() {
        return key.device();
    }

    /** The location as given to the first {@link #acquire}. */
    public String location() {
        return location;
    }

    /** The location, as {@link #location}. */
    @Override
    public String toString() {
        return location;
    }

    /** The model directory. */
    public Path directory() {
        return directory;
    }

    /** The loaded backbone (do not close it). */
    public Backbone backbone() {
        return backbone;
    }

    /** The resident adapters (forward passes name one of them). */
    public AdapterRegistry adapters() {
        return adapters;
    }

    /**
     * Makes the adapter in {@code dir} resident as {@code name}, once: a second call with the same
     * name and directory does nothing.
     *
     * @throws FewNerException when the name is taken by another directory, or the adapter does not
     *     fit this base (another model type, hidden size or layer count)
     */
    public synchronized void loadAdapter(String name, Path dir) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (java.io.IOException e) {
            throw new FewNerException(dir + ": no such adapter directory", e);
        }
        Path known = adapterLocations.get(name);
        if (known != null) {
            if (!known.equals(real)) {
                throw new FewNerException(
                        "adapter '"
                                + name
                                + "': already loaded from "
                                + known
                                + ", cannot load "
                                + dir
                                + " under the same name");
            }
            return;
        }
        try {
            adapters.load(real, name);
        } catch (FewNerException | IllegalArgumentException e) {
            throw new FewNerException(
                    dir + ": adapter does not fit the model " + directory + ": " + e.getMessage(),
                    e);
        }
        adapterLocations.put(name, real);
        LOG.info("adapter '{}' resident from {}", name, real);
    }

    /** The directory a resident adapter was loaded from. */
    public synchronized Path adapterLocation(String name) {
        Path p = adapterLocations.get(name);
        if (p == null) throw new FewNerException("adapter '" + name + "': not loaded");
        return p;
    }

    /**
     * Wall seconds spent in the model's forward passes so far, by the methods that report it
     * (frozen-prototype's encoder does): what {@code fewner bench annotate} compares with the
     * pipeline's time.
     */
    public double forwardSeconds() {
        double s = 0;
        for (java.util.function.DoubleSupplier c : forwardClocks) s += c.getAsDouble();
        return s;
    }

    /** Whether an adapter of that name is resident. */
    public synchronized boolean hasAdapter(String name) {
        return adapterLocations.containsKey(name);
    }

    /**
     * The method {@code name} on this model with {@code adapter} (null: base), made once per (name,
     * adapter, options).
     */
    public synchronized FewShotMethod method(
            String name, String adapter, Map<String, String> options) {
        String key = name + "|" + adapter + "|" + new java.util.TreeMap<>(options);
        FewShotMethod m = methods.get(key);
        if (m == null) {
            MethodOptions mo = MethodOptions.of(options).withBackbone(backbone);
            // the model as the user named it: methods look up what ships for it (span's adapters);
            // a default model's cache directory named as a directory is still that default model
            if (mo.get(MethodOptions.MODEL).isEmpty())
                mo = mo.with(MethodOptions.MODEL, modelName());
            // a method's adapter (span's heads) may live on the class path too
            java.util.Optional<String> a = mo.get(MethodOptions.ADAPTER);
            if (a.isPresent() && ClasspathLocations.isClasspath(a.get())) {
                mo =
                        mo.with(
                                MethodOptions.ADAPTER,
                                ClasspathLocations.directory(a.get()).toString());
            }
            if (mo.get(MethodOptions.CACHE_BYTES).isEmpty()) {
                mo = mo.with(MethodOptions.CACHE_BYTES, String.valueOf(CACHE_BYTES));
            }
            if (adapter != null) {
                mo = mo.with(MethodOptions.RESIDENT_ADAPTER, adapter);
                mo = mo.with(MethodOptions.ADAPTER, adapterLocation(adapter).toString());
            }
            m = FewShotMethods.create(name, mo);
            if (m instanceof FrozenPrototypeMethod f) {
                forwardClocks.add(() -> f.stats().forwardSeconds());
            }
            methods.put(key, m);
        }
        return m;
    }

    /** Adaptations in progress by key: a second caller of the same key waits for the first. */
    private final Map<List<Object>, CompletableFuture<FewShotMethod.Recognizer>> adapting =
            new HashMap<>();

    /**
     * The recogniser of {@code method} for {@code support}, adapted once per (method, support,
     * seed) and then shared. The adaptation runs outside this model's lock: callers of other keys
     * (other support sets, other engines' predicts) never wait for it; callers of the same key wait
     * for the one adaptation and share its result or its failure.
     */
    public FewShotMethod.Recognizer recognizer(
            String name,
            String adapter,
            Map<String, String> options,
            SupportSet support,
            long seed) {
        FewShotMethod m = method(name, adapter, options);
        List<Object> key =
                List.of(
                        name,
                        String.valueOf(adapter),
                        new java.util.TreeMap<>(options),
                        seed,
                        support);
        CompletableFuture<FewShotMethod.Recognizer> mine = null;
        CompletableFuture<FewShotMethod.Recognizer> theirs;
        synchronized (this) {
            FewShotMethod.Recognizer r = recognizers.get(key);
            if (r != null) return r;
            theirs = adapting.get(key);
            if (theirs == null) {
                mine = new CompletableFuture<>();
                adapting.put(key, mine);
            }
        }
        if (mine == null) {
            try {
                return theirs.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                if (e.getCause() instanceof Error err) throw err;
                throw e;
            }
        }
        try {
            FewShotMethod.Recognizer r = m.adapt(support, seed);
            synchronized (this) {
                recognizers.put(key, r);
                adapting.remove(key);
            }
            mine.complete(r);
            return r;
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                adapting.remove(key);
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }
}
