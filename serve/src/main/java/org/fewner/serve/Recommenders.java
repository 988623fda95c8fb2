package org.fewner.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recommenders' state, one per {@link RecommenderKey}: the support set (the training documents'
 * annotated sentences) and the engine adapted to it. A training builds a new state aside and swaps
 * it in with one atomic reference write, so a predict sees either the old or the new state, never a
 * half-built one; predicts in flight finish on the old engine.
 *
 * <p>On disk, under the state directory, each key has a directory {@code p<projectId>-<hash>} with
 * {@code key.json} (project, layer, feature) and {@code support.conll}, the support file the engine
 * reads, replaced by an atomic rename after the new engine was built from it. A server started on
 * the same directory reads them back and predicts as before.
 */
public final class Recommenders implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Recommenders.class);
    static final String SUPPORT = "support.conll";
    static final String NEXT = "support.next.conll";
    static final String KEY = "key.json";

    /** What a predict uses: the support documents, their engine (null: none) and explanations. */
    public record Snapshot(
            long version,
            Map<String, SupportDocument> documents,
            EnginePool engines,
            Explainer explainer) {
        static final Snapshot EMPTY = new Snapshot(0, Map.of(), null, new Explainer(List.of()));

        /** The number of support mentions. */
        public int mentions() {
            return documents.values().stream().mapToInt(SupportDocument::mentionCount).sum();
        }
    }

    private static final class State {
        final RecommenderKey key;
        final Path dir;
        final AtomicReference<Snapshot> current = new AtomicReference<>(Snapshot.EMPTY);
        final AtomicBoolean training = new AtomicBoolean();

        State(RecommenderKey key, Path dir) {
            this.key = key;
            this.dir = dir;
        }
    }

    private final ServeConfig config;
    private final Path root;
    private final boolean temporary;
    private final Map<RecommenderKey, State> states = new ConcurrentHashMap<>();
    private final Snapshot fallback;

    /**
     * Reads the state directory (creating it), and the {@code --support} file when given.
     *
     * @throws FewNerException for a state directory or support file that cannot be used
     */
    public Recommenders(ServeConfig config) {
        this.config = config;
        try {
            if (config.state() != null) {
                root = config.state();
                Files.createDirectories(root);
                temporary = false;
            } else {
                root = Files.createTempDirectory("fewner-serve-");
                temporary = true;
            }
        } catch (IOException e) {
            throw new FewNerException(
                    config.state() + ": cannot create the state directory: " + e, e);
        }
        fallback =
                config.support() == null
                        ? Snapshot.EMPTY
                        : new Snapshot(
                                0,
                                Map.of(),
                                new EnginePool(config, config.support(), config.supportFormat()),
                                new Explainer(List.of()));
        if (!temporary) {
            load();
        }
        if (fallback.engines() == null && states.isEmpty()) {
            warmUp();
        }
    }

    /**
     * Loads the model now (an engine on a one-sentence support set, then dropped; the model stays
     * loaded), so that the first {@code /train} is not slowed by it: INCEpTION's client gives up
     * after its read timeout (30 s by default).
     */
    private void warmUp() {
        Path file = null;
        try {
            file = Files.createTempFile("fewner-warm-up-", ".conll");
            Files.writeString(file, "Paris\tB-LOC\nis\tO\nbig\tO\n");
            new EnginePool(config.withWorkers(1), file, "conll").retire();
        } catch (IOException e) {
            throw new FewNerException("cannot write a temporary file: " + e, e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.debug("cannot remove {}", file, e);
                }
            }
        }
    }

    private void load() {
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                Path keyFile = dir.resolve(KEY);
                Path support = dir.resolve(SUPPORT);
                if (!Files.isRegularFile(keyFile) || !Files.isRegularFile(support)) {
                    continue;
                }
                JsonNode k = Json.readTree(keyFile);
                RecommenderKey key =
                        new RecommenderKey(
                                k.path("projectId").asLong(),
                                k.path("layer").asText(),
                                k.path("feature").asText());
                State s = new State(key, dir);
                List<SupportDocument> docs = SupportFile.read(support);
                Map<String, SupportDocument> byKey = new LinkedHashMap<>();
                docs.forEach(d -> byKey.put(d.key(), d));
                int mentions = docs.stream().mapToInt(SupportDocument::mentionCount).sum();
                EnginePool pool = mentions > 0 ? new EnginePool(config, support, "conll") : null;
                s.current.set(
                        new Snapshot(
                                1,
                                java.util.Collections.unmodifiableMap(byKey),
                                pool,
                                new Explainer(byKey.values())));
                states.put(key, s);
                LOG.info("{}: {} support mentions from {}", key, mentions, support);
            }
        } catch (IOException e) {
            throw new FewNerException(root + ": cannot read the state directory: " + e, e);
        }
    }

    /**
     * The state a predict for {@code key} uses: its own once trained with at least one mention,
     * else the {@code --support} file's (or none).
     */
    public Snapshot snapshot(RecommenderKey key) {
        State s = states.get(key);
        Snapshot snap = s == null ? null : s.current.get();
        return snap == null || snap.engines() == null ? fallback : snap;
    }

    /** Predictions and the state that made them. */
    public record Predicted(Snapshot snapshot, List<Prediction> predictions) {}

    /**
     * The predictions of {@code key}'s current engine (none before any training and without {@code
     * --support}); a predict that meets an engine just replaced by a training runs on the new one.
     */
    public Predicted predict(
            RecommenderKey key, String text, List<int[]> sentences, List<int[]> tokens) {
        for (int attempt = 0; ; attempt++) {
            Snapshot snap = snapshot(key);
            if (snap.engines() == null) {
                return new Predicted(snap, List.of());
            }
            try {
                return new Predicted(snap, snap.engines().predict(text, sentences, tokens));
            } catch (EnginePool.RetiredException e) {
                if (attempt > 1000) {
                    throw new IllegalStateException("the engine kept being replaced", e);
                }
            }
        }
    }

    /** The trained state of {@code key} (empty when never trained). */
    public Snapshot trained(RecommenderKey key) {
        State s = states.get(key);
        return s == null ? Snapshot.EMPTY : s.current.get();
    }

    /**
     * Replaces the sentences of each of {@code documents} (by key) in {@code key}'s support set,
     * builds the engine for the result and swaps it in.
     *
     * @throws HttpError 429 while another training of {@code key} runs
     */
    public void train(RecommenderKey key, Collection<SupportDocument> documents) {
        State s = states.computeIfAbsent(key, k -> new State(k, root.resolve(k.directoryName())));
        if (!s.training.compareAndSet(false, true)) {
            throw new HttpError(429, "a training of " + key + " is running; send it again later");
        }
        try {
            Snapshot old = s.current.get();
            Map<String, SupportDocument> docs = new LinkedHashMap<>(old.documents());
            for (SupportDocument d : documents) {
                docs.remove(d.key());
                if (!d.sentences().isEmpty()) {
                    docs.put(d.key(), d);
                }
            }
            if (docs.equals(old.documents()) && old.version() > 0) {
                return;
            }
            String text = SupportFile.format(docs.values());
            Files.createDirectories(s.dir);
            Path keyFile = s.dir.resolve(KEY);
            if (!Files.exists(keyFile)) {
                ObjectNode k = Json.MAPPER.createObjectNode();
                k.put("projectId", key.projectId());
                k.put("layer", key.layer());
                k.put("feature", key.feature());
                Json.writeAtomically(keyFile, k);
            }
            int mentions = docs.values().stream().mapToInt(SupportDocument::mentionCount).sum();
            EnginePool pool = null;
            Path next = s.dir.resolve(NEXT);
            Files.writeString(next, text);
            if (mentions > 0) {
                // the engine reads the file at initialise: build first, then make it the state
                pool = new EnginePool(config, next, "conll");
            }
            Files.move(
                    next,
                    s.dir.resolve(SUPPORT),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            s.current.set(
                    new Snapshot(
                            old.version() + 1,
                            java.util.Collections.unmodifiableMap(docs),
                            pool,
                            new Explainer(docs.values())));
            if (old.engines() != null) {
                old.engines().retire();
            }
            LOG.info("{}: trained, {} documents, {} support mentions", key, docs.size(), mentions);
        } catch (IOException e) {
            throw new FewNerException(s.dir + ": cannot write the support set: " + e, e);
        } finally {
            s.training.set(false);
        }
    }

    /** The keys with a state. */
    public List<RecommenderKey> keys() {
        return new ArrayList<>(states.keySet());
    }

    @Override
    public void close() {
        for (State s : states.values()) {
            Snapshot snap = s.current.get();
            if (snap.engines() != null) {
                snap.engines().retire();
            }
        }
        if (fallback.engines() != null) {
            fallback.engines().retire();
        }
        if (temporary) {
            try {
                AtomicFiles.deleteRecursively(root);
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", root, e.toString());
            }
        }
    }
}
