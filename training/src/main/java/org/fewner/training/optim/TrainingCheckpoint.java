package org.fewner.training.optim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;

/**
 * A trainer's checkpoint directory, written atomically ({@link AtomicFiles#writeDirectory}):
 * {@value #TENSORS} with the parameters and AdamW moments of an {@link AdamW} ({@code param.N},
 * {@code adam_m.N}, {@code adam_v.N}), and {@value #JSON} with the step, the elapsed seconds, the
 * run's settings and the last losses. Restoring refuses a checkpoint written with other settings.
 */
public final class TrainingCheckpoint {
    /** File names inside the checkpoint directory. */
    public static final String TENSORS = "state.safetensors";

    public static final String JSON = "state.json";

    private TrainingCheckpoint() {}

    /**
     * What a checkpoint restores besides the tensors.
     *
     * @param step steps done
     * @param elapsedSeconds training seconds up to the checkpoint
     * @param losses the last step's loss terms (null values kept)
     */
    public record State(int step, double elapsedSeconds, Map<String, Double> losses) {}

    /** Writes {@code optimiser}'s tensors and the state (settings {@code config} as JSON). */
    public static void write(
            Path dir,
            AdamW optimiser,
            int step,
            double elapsedSeconds,
            Object config,
            Map<String, Double> losses) {
        AtomicFiles.writeDirectory(
                dir,
                true,
                tmp -> {
                    Map<String, HostTensor> t = new TreeMap<>(optimiser.state());
                    SafeTensors.write(tmp.resolve(TENSORS), t, Map.of("format", "pt"));
                    ObjectNode j = Json.MAPPER.createObjectNode();
                    j.put("step", step);
                    j.put("elapsed_s", elapsedSeconds);
                    j.set("config", Json.MAPPER.valueToTree(config));
                    j.set("losses", Json.MAPPER.valueToTree(losses));
                    Files.writeString(tmp.resolve(JSON), Json.pretty(j));
                });
    }

    /**
     * Restores a checkpoint written by {@link #write} into {@code optimiser} (same parameter names
     * and sizes); its settings must equal {@code config}.
     */
    public static <C> State read(Path dir, AdamW optimiser, Class<C> configType, C config) {
        var j = Json.readTree(dir.resolve(JSON));
        C saved;
        try {
            saved = Json.MAPPER.treeToValue(j.get("config"), configType);
        } catch (IOException e) {
            throw new FewNerException(
                    dir.resolve(JSON) + ": unreadable config: " + e.getMessage(), e);
        }
        if (!config.equals(saved)) {
            throw new FewNerException(
                    dir.resolve(JSON)
                            + ": the checkpoint was written with other settings ("
                            + FewNerException.quote(String.valueOf(saved))
                            + "); resume with the same options or start afresh");
        }
        Map<String, HostTensor> t = SafeTensors.readAll(dir.resolve(TENSORS));
        for (Map.Entry<String, float[]> e : optimiser.stateArrays().entrySet()) {
            HostTensor h = t.get(e.getKey());
            float[] into = e.getValue();
            if (h == null || h.numel() != into.length) {
                throw new FewNerException(
                        dir.resolve(TENSORS)
                                + ": tensor "
                                + e.getKey()
                                + " missing or of the wrong size");
            }
            System.arraycopy(h.toFloats(), 0, into, 0, into.length);
        }
        Map<String, Double> l = new LinkedHashMap<>();
        j.path("losses")
                .fields()
                .forEachRemaining(
                        e ->
                                l.put(
                                        e.getKey(),
                                        e.getValue().isNull() ? null : e.getValue().asDouble()));
        return new State(j.path("step").asInt(), j.path("elapsed_s").asDouble(), l);
    }
}
