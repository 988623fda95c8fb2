package org.fewner.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
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
 * annotated sentences), and the server's one {@link EnginePool}, built at start, that every
 * recommender predicts with: a predict carries its recommender's support set in the engine's
 * support view, and the engine adapts once per distinct support set. A training computes the new
 * support set aside, adapts the engine to it (so that errors surface in the training and the next
 * predict is fast), and swaps it in with one atomic reference write, so a predict sees either the
 * old or the new support set, never a half-built one. No training rebuilds an engine.
 *
 * <p>On disk, under the state directory, each key has a directory {@code p<projectId>-<hash>} with
 * {@code key.json} (project, layer, feature) and {@code support.conll}, the support set as a CoNLL
 * file ({@link SupportFile}), replaced by an atomic rename. A server started on the same directory
 * reads them back and predicts as before.
 */
public final class Recommenders implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Recommenders.class);
    static final String SUPPORT = "support.conll";
    static final String NEXT = "support.next.conll";
    static final String KEY = "key.json";

    /**
     * What a predict uses: the support documents, their support view for the engine, whether the
     * engine predicts at all (false: no support set and no {@code --support} file) and the
     * explanations.
     *
     * @param view the support set for the engine's support view (null: the {@code --support} file)
     */
    public record Snapshot(
            long version,
            Map<String, SupportDocument> documents,
            SupportView view,
            boolean predicts,
            Explainer explainer) {
        static final Snapshot EMPTY =
                new Snapshot(0, Map.of(), null, false, new Explainer(List.of()));

        static Snapshot of(long version, Map<String, SupportDocument> documents) {
            SupportView view = new SupportView(documents.values());
            return new Snapshot(
                    version,
                    Collections.unmodifiableMap(documents),
                    view,
                    view.mentions() > 0,
                    new Explainer(documents.values()));
        }

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

    /** A one-sentence support set to adapt the engine to at start when there is none yet. */
    private static final SupportView WARM_UP =
            new SupportView(
                    List.of(
                            new SupportDocument(
                                    "warm-up",
                                    List.of(
                                            new SupportSentence(
                                                    List.of("Paris", "is", "big"),
                                                    List.of(
                                                            new SupportSentence.Mention(
                                                                    0, 1, "LOC")))))));

    private final Path root;
    private final boolean temporary;
    private final Map<RecommenderKey, State> states = new ConcurrentHashMap<>();
    private final EnginePool engines;
    private final Snapshot fallback;

    /**
     * Reads the state directory (creating it), builds the engine (with the {@code --support} file
     * when given) and adapts it to each support set read back, or to a one-sentence one when there
     * is none: the model is loaded and the method ready before the first {@code /train}, which
     * INCEpTION's client gives up on after its read timeout (30 s by default).
     *
     * @throws FewNerException for a state directory, support file or model that cannot be used
     */
    public Recommenders(ServeConfig config) {
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
        engines = new EnginePool(config);
        try {
            fallback =
                    config.support() == null
                            ? Snapshot.EMPTY
                            : new Snapshot(0, Map.of(), null, true, new Explainer(List.of()));
            if (!temporary) {
                load();
            }
            if (config.support() == null && states.isEmpty()) {
                engines.warm(WARM_UP);
            }
        } catch (RuntimeException e) {
            engines.retire();
            throw e;
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
                Map<String, SupportDocument> byKey = new LinkedHashMap<>();
                SupportFile.read(support).forEach(d -> byKey.put(d.key(), d));
                Snapshot snap = Snapshot.of(1, byKey);
                if (snap.predicts()) {
                    engines.warm(snap.view());
                }
                s.current.set(snap);
                states.put(key, s);
                LOG.info("{}: {} support mentions from {}", key, snap.mentions(), support);
            }
        } catch (IOException e) {
            throw new FewNerException(root + ": cannot read the state directory: " + e, e);
        }
    }

    /** The server's engine (one for every recommender, built at start). */
    public EnginePool engines() {
        return engines;
    }

    /**
     * The state a predict for {@code key} uses: its own once trained with at least one mention,
     * else the {@code --support} file's (or none).
     */
    public Snapshot snapshot(RecommenderKey key) {
        State s = states.get(key);
        Snapshot snap = s == null ? null : s.current.get();
        return snap == null || !snap.predicts() ? fallback : snap;
    }

    /** Predictions and the state that made them. */
    public record Predicted(Snapshot snapshot, List<Prediction> predictions) {}

    /**
     * The predictions for {@code key}'s current support set (none before any training and without
     * {@code --support}, without running the engine).
     */
    public Predicted predict(
            RecommenderKey key, String text, List<int[]> sentences, List<int[]> tokens) {
        return predict(snapshot(key), text, sentences, tokens);
    }

    /** The predictions for the support set of {@code snap} (none when it does not predict). */
    public Predicted predict(
            Snapshot snap, String text, List<int[]> sentences, List<int[]> tokens) {
        if (!snap.predicts()) {
            return new Predicted(snap, List.of());
        }
        return new Predicted(snap, engines.predict(snap.view(), text, sentences, tokens));
    }

    /** The trained state of {@code key} (empty when never trained). */
    public Snapshot trained(RecommenderKey key) {
        State s = states.get(key);
        return s == null ? Snapshot.EMPTY : s.current.get();
    }

    /**
     * Replaces the sentences of each of {@code documents} (by key) in {@code key}'s support set,
     * adapts the engine to the result, writes it and swaps it in.
     *
     * @throws HttpError 429 while another training of {@code key} runs
     * @throws FewNerException for a support set the engine refuses (the old one stays)
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
            Snapshot next = Snapshot.of(old.version() + 1, docs);
            if (next.predicts()) {
                // adapt now: the next predict finds the recogniser made, and errors surface here
                engines.warm(next.view());
            }
            Files.createDirectories(s.dir);
            Path keyFile = s.dir.resolve(KEY);
            if (!Files.exists(keyFile)) {
                ObjectNode k = Json.MAPPER.createObjectNode();
                k.put("projectId", key.projectId());
                k.put("layer", key.layer());
                k.put("feature", key.feature());
                Json.writeAtomically(keyFile, k);
            }
            Path file = s.dir.resolve(NEXT);
            Files.writeString(file, SupportFile.format(docs.values()));
            Files.move(
                    file,
                    s.dir.resolve(SUPPORT),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            s.current.set(next);
            LOG.info(
                    "{}: trained, {} documents, {} support mentions",
                    key,
                    docs.size(),
                    next.mentions());
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
        engines.retire();
        if (temporary) {
            try {
                AtomicFiles.deleteRecursively(root);
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", root, e.toString());
            }
        }
    }
}
