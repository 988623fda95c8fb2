package org.fewner.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;

/**
 * Checks a source-trained adapter directory before an evaluation uses it, and returns its training
 * record for results.json. Refused: a directory without {@code adapter_config.json} or without
 * {@code training.json} (its source training could not be stated); an adapter whose recorded
 * training files ({@code training.json}'s {@code source_files}: {@code [{path, sha256}]}) include
 * one of the target's evaluation files (same SHA-256 of the bytes, or the same real path); an
 * adapter whose recorded base model ({@code training.json}'s {@code model}, else {@code
 * adapter_config.json}'s {@code base_model_name_or_path}) is another model than {@code --model}.
 */
public final class SourceAdapter {
    private SourceAdapter() {}

    /** Checks {@code dir} against the target's evaluation files and the model; its record. */
    public static Map<String, Object> check(Path dir, List<Path> evaluationFiles, String model) {
        if (Files.isRegularFile(dir)) {
            throw new FewNerException(
                    dir
                            + ": is a file; --adapter expects an adapter directory (adapter_config.json and adapter_model.safetensors)");
        }
        if (!Files.isDirectory(dir) || !Files.isRegularFile(dir.resolve("adapter_config.json"))) {
            throw new FewNerException(
                    dir
                            + ": not an adapter directory (expected adapter_config.json and adapter_model.safetensors)");
        }
        Path training = dir.resolve("training.json");
        if (!Files.isRegularFile(training)) {
            throw new FewNerException(
                    training
                            + ": missing (an adapter's source training must be recorded to rule out training on the target)");
        }
        JsonNode t = Json.readTree(training);
        JsonNode files = t.get("source_files");
        if (files == null || !files.isArray()) {
            throw new FewNerException(
                    training
                            + ": \"source_files\" missing (expected [{\"path\": ..., \"sha256\": ...}, ...])");
        }
        Map<String, Path> targetSha = new LinkedHashMap<>();
        for (Path f : evaluationFiles) targetSha.put(sha256(f), f);
        for (JsonNode f : files) {
            String path = f.path("path").asText("");
            String sha = f.path("sha256").asText("").toLowerCase(java.util.Locale.ROOT);
            Path hit = targetSha.get(sha);
            if (hit == null && !path.isEmpty()) {
                for (Path e : evaluationFiles) {
                    if (samePath(Path.of(path), e)) hit = e;
                }
            }
            if (hit != null) {
                throw new FewNerException(
                        training
                                + ": the adapter was trained on "
                                + FewNerException.quote(path)
                                + ", which is the target's evaluation file "
                                + hit
                                + " (never train on a target's evaluation data)");
            }
        }
        JsonNode config = Json.readTree(dir.resolve("adapter_config.json"));
        String base = t.path("model").asText("");
        if (base.isEmpty()) base = config.path("base_model_name_or_path").asText("");
        if (!base.isEmpty() && !sameModel(base, model)) {
            throw new FewNerException(
                    dir
                            + ": adapter made for base model "
                            + FewNerException.quote(base)
                            + ", not for --model "
                            + FewNerException.quote(model));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("adapter", dir.toString());
        r.put("training", Json.MAPPER.convertValue(t, Map.class));
        return r;
    }

    static boolean sameModel(String recorded, String model) {
        List<String> defaults = List.of("default", "default-uncased");
        if (recorded.equals(model)) return true;
        if (defaults.contains(recorded) || defaults.contains(model)) {
            // a default name against a directory: the directory must be that default's cache
            String name = defaults.contains(recorded) ? recorded : model;
            String other = defaults.contains(recorded) ? model : recorded;
            if (defaults.contains(other)) return false;
            Path p = Path.of(other).getFileName();
            return p != null && p.toString().equals(name);
        }
        return samePath(Path.of(recorded), Path.of(model));
    }

    static boolean samePath(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** SHA-256 of a file's bytes, lower-case hex. */
    public static String sha256(Path file) {
        try (InputStream in =
                new DigestInputStream(
                        Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // digesting
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For results.json when no adapter is used. */
    public static Map<String, Object> none(String method) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("adapter", null);
        r.put(
                "training",
                method.equals(OpenNlpMethod.NAME)
                        ? "none beyond each task's own support set"
                        : "none (frozen pre-trained backbone, no source training)");
        return r;
    }

    static List<String> names(List<Path> files) {
        List<String> out = new ArrayList<>();
        for (Path p : files) out.add(p.toString());
        return out;
    }
}
