package org.fewner.uimaannotator;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.fewner.common.FewNerException;
import org.fewner.llm.hub.DefaultModels;

/**
 * Models and adapters packaged as jars on the class path, as DKPro Core's model artifacts are: a
 * pipeline declares the jar as a Maven dependency and names the model by a location.
 *
 * <ul>
 *   <li>{@code classpath:PATH}: the folder {@code PATH} on the class path (in a jar or a classes
 *       directory) holding a model ({@code config.json}, {@code model.safetensors}, the tokenizer)
 *       or an adapter ({@code adapter_config.json}, ...);
 *   <li>{@code mvn:GROUP:ARTIFACT[:VERSION]}: the artifact's jar, found on the class path by the
 *       {@code META-INF/maven/GROUP/ARTIFACT/pom.properties} that Maven writes into every jar (its
 *       version checked when given); the model or adapter is the one folder of that jar holding
 *       {@code config.json} or {@code adapter_config.json}.
 * </ul>
 *
 * A folder inside a jar is unpacked once into {@code classpath/} of the model cache ({@code
 * ~/.cache/fewner/models/classpath/} unless {@code -Dfewner.cache} says otherwise; a folder per jar
 * and path, named by a hash of the jar's location, size and time, written atomically), so later
 * runs read the files directly. The thread's context class loader is asked first, then this
 * class's.
 */
public final class ClasspathLocations {
    /** The prefix of class-path folder locations. */
    public static final String CLASSPATH = "classpath:";

    /** The prefix of Maven artifact locations. */
    public static final String MVN = "mvn:";

    private ClasspathLocations() {}

    /** The local directory of a location: a directory path, {@code classpath:} or {@code mvn:}. */
    public static Path localDirectory(String location) {
        return isClasspath(location) ? directory(location) : Path.of(location);
    }

    /** Whether {@code location} names something on the class path. */
    public static boolean isClasspath(String location) {
        return location != null && (location.startsWith(CLASSPATH) || location.startsWith(MVN));
    }

    /**
     * The directory of a {@code classpath:} or {@code mvn:} location, unpacked from its jar when it
     * is in one.
     *
     * @throws FewNerException when nothing is found, naming the location and what to add
     */
    public static Path directory(String location) {
        if (location.startsWith(CLASSPATH)) return folder(location);
        if (location.startsWith(MVN)) return artifact(location);
        throw new FewNerException(
                FewNerException.quote(location) + ": not a classpath: or mvn: location");
    }

    private static List<ClassLoader> loaders() {
        List<ClassLoader> out = new ArrayList<>();
        ClassLoader ctx = Thread.currentThread().getContextClassLoader();
        if (ctx != null) out.add(ctx);
        out.add(ClasspathLocations.class.getClassLoader());
        return out;
    }

    private static Path folder(String location) {
        String path = location.substring(CLASSPATH.length());
        while (path.startsWith("/")) path = path.substring(1);
        while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        for (String marker : List.of("config.json", "adapter_config.json")) {
            for (ClassLoader cl : loaders()) {
                URL url = cl.getResource(path + "/" + marker);
                if (url != null) return materialise(location, url, path);
            }
        }
        throw new FewNerException(
                location
                        + ": not on the class path (expected a folder "
                        + path
                        + "/ with config.json (a model) or adapter_config.json (an adapter) in a jar"
                        + " or classes directory; add the jar that holds it as a dependency)");
    }

    private static Path artifact(String location) {
        String[] p = location.substring(MVN.length()).split(":");
        if (p.length < 2 || p.length > 3 || p[0].isBlank() || p[1].isBlank()) {
            throw new FewNerException(
                    location + ": expected mvn:GROUP:ARTIFACT or mvn:GROUP:ARTIFACT:VERSION");
        }
        String props = "META-INF/maven/" + p[0] + "/" + p[1] + "/pom.properties";
        List<String> versions = new ArrayList<>();
        for (ClassLoader cl : loaders()) {
            Enumeration<URL> found;
            try {
                found = cl.getResources(props);
            } catch (IOException e) {
                throw new FewNerException(location + ": cannot search the class path: " + e, e);
            }
            for (URL url : Collections.list(found)) {
                Properties pp = new Properties();
                try (InputStream in = url.openStream()) {
                    pp.load(in);
                } catch (IOException e) {
                    throw new FewNerException(url + ": cannot read: " + e, e);
                }
                String version = pp.getProperty("version", "");
                if (p.length == 3 && !p[2].equals(version)) {
                    versions.add(version);
                    continue;
                }
                if (!"jar".equals(url.getProtocol())) {
                    throw new FewNerException(
                            location + ": " + url + " is not in a jar (a model artifact is a jar)");
                }
                try (JarFile jar = jarOf(url)) {
                    String dir = markedFolder(location, jar);
                    URL marker =
                            new URL(
                                    url.toString()
                                            .substring(0, url.toString().indexOf("!/") + 2)
                                            .concat(dir + "/config.json"));
                    if (jar.getEntry(dir + "/config.json") == null) {
                        marker =
                                new URL(
                                        url.toString()
                                                .substring(0, url.toString().indexOf("!/") + 2)
                                                .concat(dir + "/adapter_config.json"));
                    }
                    return materialise(location, marker, dir);
                } catch (IOException e) {
                    throw new FewNerException(location + ": cannot read its jar: " + e, e);
                }
            }
        }
        String coordinates =
                "<groupId>"
                        + p[0]
                        + "</groupId><artifactId>"
                        + p[1]
                        + "</artifactId>"
                        + (p.length == 3 ? "<version>" + p[2] + "</version>" : "");
        throw new FewNerException(
                location
                        + ": not on the class path"
                        + (versions.isEmpty() ? "" : " (found version " + versions + " instead)")
                        + "; add the dependency "
                        + coordinates);
    }

    private static JarFile jarOf(URL url) throws IOException {
        URLConnection c = url.openConnection();
        c.setUseCaches(false);
        if (!(c instanceof JarURLConnection j)) throw new IOException(url + ": not in a jar");
        try {
            return new JarFile(Path.of(j.getJarFileURL().toURI()).toFile());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException(url + ": not a local jar", e);
        }
    }

    /** The one folder of {@code jar} that holds config.json or adapter_config.json. */
    private static String markedFolder(String location, JarFile jar) {
        TreeSet<String> dirs = new TreeSet<>();
        for (JarEntry e : Collections.list(jar.entries())) {
            String n = e.getName();
            if (n.startsWith("META-INF/")) continue;
            int slash = n.lastIndexOf('/');
            String file = n.substring(slash + 1);
            if (slash > 0 && (file.equals("config.json") || file.equals("adapter_config.json"))) {
                dirs.add(n.substring(0, slash));
            }
        }
        if (dirs.size() != 1) {
            throw new FewNerException(
                    location
                            + ": "
                            + jar.getName()
                            + (dirs.isEmpty()
                                    ? " holds no folder with config.json or adapter_config.json"
                                    : " holds several models or adapters "
                                            + dirs
                                            + "; name one as classpath:FOLDER"));
        }
        return dirs.first();
    }

    /**
     * The directory of the class-path folder {@code path} whose marker file is at {@code marker}:
     * the folder itself for a classes directory, an unpacked copy for a jar.
     */
    private static Path materialise(String location, URL marker, String path) {
        try {
            if ("file".equals(marker.getProtocol())) {
                return Path.of(marker.toURI()).getParent();
            }
            if (!"jar".equals(marker.getProtocol())) {
                throw new FewNerException(
                        location + ": " + marker + " is neither in a jar nor in a directory");
            }
            try (JarFile jar = jarOf(marker)) {
                Path jarPath = Path.of(jar.getName());
                String key =
                        jarPath.toAbsolutePath()
                                + "|"
                                + Files.size(jarPath)
                                + "|"
                                + Files.getLastModifiedTime(jarPath).toMillis()
                                + "|"
                                + path;
                Path root = DefaultModels.cacheRoot().resolve("classpath");
                String name = path.replaceAll("[^A-Za-z0-9._-]", "_");
                if (name.length() > 60) name = name.substring(name.length() - 60);
                Path dir = root.resolve(hash(key) + "-" + name);
                if (Files.isRegularFile(dir.resolve(DefaultModels.MARKER))) return dir;
                Files.createDirectories(root);
                Path tmp = Files.createTempDirectory(root, ".unpack-");
                for (JarEntry e : Collections.list(jar.entries())) {
                    String n = e.getName();
                    if (e.isDirectory() || !n.startsWith(path + "/")) continue;
                    Path target = tmp.resolve(n.substring(path.length() + 1)).normalize();
                    if (!target.startsWith(tmp)) continue; // no entries outside the folder
                    Files.createDirectories(target.getParent());
                    try (InputStream in = jar.getInputStream(e)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                Files.writeString(tmp.resolve(DefaultModels.MARKER), location + "\n");
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException raced) {
                    // another JVM unpacked it first: use theirs
                    if (!Files.isRegularFile(dir.resolve(DefaultModels.MARKER))) throw raced;
                    deleteTree(tmp);
                }
                return dir;
            }
        } catch (IOException | URISyntaxException e) {
            throw new FewNerException(location + ": cannot read it from the class path: " + e, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String hash(String s) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
