package org.fewner.llm.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.fewner.common.FewNerException;
import org.fewner.llm.config.BertConfig;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.tensors.SafeTensors;
import org.fewner.llm.tensors.TensorSource;
import org.fewner.llm.testutil.Python;
import org.fewner.llm.tokenizer.ModelTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultModelsTest {
    @TempDir Path dir;

    private Path jar;
    private DefaultModels.Spec spec;

    private void tinyJar() throws IOException {
        jar = new TinyEasyBertJar(21).write(dir.resolve("tiny.jar"), false);
        spec = new DefaultModels.Spec("default", "test:tiny:1", 2, DefaultModels.sha256(jar));
    }

    @Test
    void namesSpecsAndCacheRoot() {
        assertEquals(List.of("default", "default-uncased"), DefaultModels.names());
        assertEquals(DefaultModels.CASED, DefaultModels.spec("default"));
        assertTrue(DefaultModels.spec("default-uncased").coords().contains("uncased"));
        FewNerException e =
                assertThrows(FewNerException.class, () -> DefaultModels.spec("bert-large"));
        assertTrue(
                e.getMessage()
                        .contains(
                                "unknown default model 'bert-large' (known: default, default-uncased)"),
                e.getMessage());
        String old = System.getProperty("fewner.cache");
        try {
            System.setProperty("fewner.cache", dir.toString());
            assertEquals(dir, DefaultModels.cacheRoot());
            assertFalse(DefaultModels.isCached("default"));
        } finally {
            if (old == null) {
                System.clearProperty("fewner.cache");
            } else {
                System.setProperty("fewner.cache", old);
            }
        }
        if (System.getenv("FEWNER_CACHE") == null && System.getProperty("fewner.cache") == null) {
            assertEquals(
                    Paths.get(System.getProperty("user.home"), ".cache", "fewner", "models"),
                    DefaultModels.cacheRoot());
        }
    }

    @Test
    void convertsOnceThenUsesTheCache() throws Exception {
        tinyJar();
        Path cache = dir.resolve("cache");
        AtomicInteger calls = new AtomicInteger();
        DefaultModels.JarSource source =
                (s, p) -> {
                    calls.incrementAndGet();
                    return jar;
                };
        Path m = DefaultModels.resolve(spec, cache, source, false);
        assertEquals(cache.resolve("default"), m);
        assertTrue(DefaultModels.isComplete(m));
        assertTrue(Files.readString(m.resolve(DefaultModels.MARKER)).contains(spec.sha256()));
        assertEquals(2, ((BertConfig) ModelConfigs.read(m)).numHiddenLayers());
        long modified = Files.getLastModifiedTime(m.resolve("model.safetensors")).toMillis();
        assertEquals(m, DefaultModels.resolve(spec, cache, source, false));
        assertEquals(1, calls.get(), "second resolve must not fetch or convert again");
        assertEquals(
                modified, Files.getLastModifiedTime(m.resolve("model.safetensors")).toMillis());
        assertEquals(List.of(), DefaultModels.leftovers(cache));
    }

    @Test
    void pinnedSha256MismatchIsRefused() throws Exception {
        tinyJar();
        DefaultModels.Spec wrong =
                new DefaultModels.Spec("default", "test:tiny:1", 2, "00".repeat(32));
        Path cache = dir.resolve("cache");
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> DefaultModels.resolve(wrong, cache, (s, p) -> jar, false));
        assertTrue(
                e.getMessage()
                        .contains(
                                "SHA-256 "
                                        + spec.sha256()
                                        + " differs from the pinned "
                                        + "00".repeat(32)),
                e.getMessage());
        assertFalse(Files.exists(cache.resolve("default")));
        assertEquals(List.of(), DefaultModels.leftovers(cache));
    }

    @Test
    void failedConversionLeavesNothing() throws Exception {
        TinyEasyBertJar bad = new TinyEasyBertJar(1);
        bad.bundle.corruptCrcOf = "module/bert/embeddings/word_embeddings";
        Path badJar = bad.write(dir.resolve("bad.jar"), false);
        DefaultModels.Spec s =
                new DefaultModels.Spec("default", "test:bad:1", 2, DefaultModels.sha256(badJar));
        Path cache = dir.resolve("cache");
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> DefaultModels.resolve(s, cache, (x, p) -> badJar, false));
        assertTrue(
                e.getMessage().contains("cannot convert test:bad:1")
                        && e.getMessage().contains("CRC32C mismatch"),
                e.getMessage());
        assertFalse(Files.exists(cache.resolve("default")));
        assertEquals(List.of(), DefaultModels.leftovers(cache));
    }

    @Test
    void halfWrittenTargetIsNeverUsed() throws Exception {
        tinyJar();
        Path cache = dir.resolve("cache");
        Path target = Files.createDirectories(cache.resolve("default"));
        Files.writeString(target.resolve("config.json"), "{\"model_type\": \"bert\"}");
        Files.write(target.resolve("model.safetensors"), new byte[] {1, 2, 3});
        assertFalse(DefaultModels.isComplete(target));
        Path m = DefaultModels.resolve(spec, cache, (s, p) -> jar, false);
        assertTrue(DefaultModels.isComplete(m));
        try (TensorSource t = SafeTensors.openModelDirectory(m)) {
            assertTrue(t.contains("cls.predictions.bias"));
        }
        assertEquals(List.of(), DefaultModels.leftovers(cache));
    }

    /**
     * Kills a child JVM in the middle of a conversion (kill -9 semantics) and checks the cache
     * afterwards.
     */
    private void crashAt(String point) throws Exception {
        tinyJar();
        Path cache = dir.resolve("cache-" + point);
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
                new ProcessBuilder(
                                java,
                                "-cp",
                                System.getProperty("java.class.path"),
                                CrashingConversion.class.getName(),
                                jar.toString(),
                                cache.toString(),
                                spec.sha256(),
                                point)
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), "child must die at " + point + ": " + out);

        // what the crash left: no model directory, only a hidden partial one that nothing treats as
        // a model
        assertFalse(
                Files.exists(cache.resolve("default")),
                "crash at " + point + " left a model directory");
        List<Path> left = DefaultModels.leftovers(cache);
        assertEquals(1, left.size(), left.toString());
        assertTrue(
                Files.isRegularFile(left.get(0).resolve("model.safetensors")),
                "the crash happened after the weights were written");
        assertEquals(point.equals("beforeInstall"), DefaultModels.isComplete(left.get(0)));

        // the next run converts again, installs a complete model and removes the dead process's
        // leftover
        Path m = DefaultModels.resolve(spec, cache, (s, x) -> jar, false);
        assertTrue(DefaultModels.isComplete(m));
        assertEquals(List.of(), DefaultModels.leftovers(cache));
    }

    @Test
    void crashBeforeTheMarker() throws Exception {
        crashAt("beforeMarker");
    }

    @Test
    void crashBeforeTheRename() throws Exception {
        crashAt("beforeInstall");
    }

    @Test
    void aModelInstalledMeanwhileByAnotherProcessIsKept() throws Exception {
        tinyJar();
        Path cache = dir.resolve("cache");
        Path theirs = DefaultModels.resolve(spec, cache, (s, p) -> jar, false);
        String theirMarker = Files.readString(theirs.resolve(DefaultModels.MARKER));
        Path ours = Files.createDirectories(cache.resolve(".default.partial-1-x"));
        Files.writeString(ours.resolve(DefaultModels.MARKER), "ours");
        DefaultModels.install(ours, theirs);
        assertEquals(theirMarker, Files.readString(theirs.resolve(DefaultModels.MARKER)));
        // a non-model directory in the way is replaced
        Path other = Files.createDirectories(dir.resolve("other/default"));
        Files.writeString(other.resolve("junk"), "x");
        Path fresh = Files.createDirectories(dir.resolve("other/.default.partial-1-y"));
        Files.writeString(fresh.resolve(DefaultModels.MARKER), "new");
        DefaultModels.install(fresh, other);
        assertEquals("new", Files.readString(other.resolve(DefaultModels.MARKER)));
        assertFalse(Files.exists(other.resolve("junk")));
        assertEquals(List.of(), DefaultModels.leftovers(dir.resolve("other")));
    }

    @Test
    void leftoversOfLiveProcessesAreKept() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path live =
                Files.createDirectories(
                        cache.resolve(".default.partial-" + ProcessHandle.current().pid() + "-x"));
        Path other = Files.createDirectories(cache.resolve(".default-uncased.partial-999999999-x"));
        DefaultModels.removeDeadLeftovers(cache, "default");
        assertTrue(Files.exists(live));
        assertTrue(Files.exists(other), "only leftovers of the model being converted are touched");
        DefaultModels.removeDeadLeftovers(cache, "default-uncased");
        assertFalse(Files.exists(other));
    }

    @Test
    void resolverFindsAJarInALocalRepositoryWithoutNetwork() throws Exception {
        Path repo = dir.resolve("repo");
        Path d = Files.createDirectories(repo.resolve("org/example/tiny/1.0"));
        Path jarFile = d.resolve("tiny-1.0.jar");
        Files.write(jarFile, new byte[] {1, 2, 3});
        // an unreachable remote: the local copy must be used without any network access
        Path got =
                MavenJarResolver.resolve(
                        "org.example:tiny:1.0", repo, "http://127.0.0.1:9/none/", false);
        assertEquals(jarFile.toRealPath(), got.toRealPath());
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                MavenJarResolver.resolve(
                                        "org.example:absent:1.0",
                                        repo,
                                        "http://127.0.0.1:9/none/",
                                        false));
        assertTrue(
                e.getMessage().contains("cannot resolve org.example:absent:1.0"), e.getMessage());
    }

    /**
     * Heavy: the real default models. Runs when they are converted already, or with
     * -Dfewner.heavyTests=true (which downloads and converts them). Checks the layout, shapes and
     * BERT's known token ids; with heavyTests and python3, the numpy reference's MLM top-1 on the
     * converted weights.
     */
    @Test
    void realDefaultModels() throws Exception {
        boolean heavy = Boolean.getBoolean("fewner.heavyTests");
        assumeTrue(
                heavy || DefaultModels.isCached("default"),
                "skipped: default model not converted in "
                        + DefaultModels.cacheRoot()
                        + " (run with -Dfewner.heavyTests=true)");
        Path m = DefaultModels.resolve("default", false);
        BertConfig c = (BertConfig) ModelConfigs.read(m);
        assertEquals(28996, c.vocabSize());
        assertEquals(12, c.numHiddenLayers());
        assertEquals(12, c.numAttentionHeads());
        assertEquals("gelu_new", c.hiddenAct());
        try (TensorSource t = SafeTensors.openModelDirectory(m)) {
            assertEquals(EasyBertConverter.expectedNames(12).size(), t.names().size());
            assertArrayEquals(
                    new long[] {28996, 768},
                    t.info("bert.embeddings.word_embeddings.weight").shape());
            assertArrayEquals(
                    new long[] {3072, 768},
                    t.info("bert.encoder.layer.5.intermediate.dense.weight").shape());
            assertArrayEquals(
                    new long[] {768, 3072},
                    t.info("bert.encoder.layer.5.output.dense.weight").shape());
        }
        long[] ids;
        try (ModelTokenizer tok = ModelTokenizer.load(m)) {
            ids = tok.encode("Paris is the [MASK] of France.", true).ids();
            assertArrayEquals(new long[] {101, 2123, 1110, 1103, 103, 1104, 1699, 119, 102}, ids);
        }
        if (heavy) {
            Path ref = Python.referenceDir();
            String out =
                    Python.run(
                            ref,
                            "-c",
                            "import sys, numpy as np, ref_models; m = ref_models.load_model(sys.argv[1]); "
                                    + "ids = [int(x) for x in sys.argv[2].split(',')]; l = m.forward(np.array(ids))['logits'][4]; "
                                    + "i = int(np.argmax(l)); print(i, round(float(l[i]), 3))",
                            m.toString(),
                            String.join(
                                    ",",
                                    java.util.Arrays.stream(ids)
                                            .mapToObj(Long::toString)
                                            .toList()));
            String[] f = out.strip().split(" ");
            assertEquals("2364", f[0], "top-1 is 'capital': " + out);
            assertEquals(19.037, Double.parseDouble(f[1]), 0.01, out);
        }
    }
}
