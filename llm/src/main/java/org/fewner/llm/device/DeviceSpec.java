package org.fewner.llm.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.fewner.common.FewNerException;

/**
 * Parses the {@code --device} option: {@code cpu} (the default, bundled CPU libtorch, works
 * offline), {@code gpu} (= {@code gpu:0}) or {@code gpu:N}. A GPU is only accepted when the engine
 * sees one: running the CPU libtorch, or on a host without CUDA, {@code Engine.getGpuCount()} is 0
 * and asking for a GPU is an error that says how to get the CUDA build (the {@code -Pgpu} Maven
 * profile, docs/models-and-devices.md).
 */
public final class DeviceSpec {
    /** The accepted forms, for error messages. */
    public static final String FORMS = "cpu, gpu, gpu:N (N = 0, 1, ...)";

    private DeviceSpec() {}

    /**
     * Parses {@code spec} against the GPUs the default engine reports (started lazily, only for a
     * GPU spec).
     */
    public static Device parse(String spec) {
        return parse(spec, () -> Engine.getInstance().getGpuCount());
    }

    /**
     * Parses {@code spec}; {@code gpuCount} is asked only when a GPU is requested (injectable for
     * tests).
     *
     * @throws IllegalArgumentException for a malformed spec or a GPU index that is not present
     */
    public static Device parse(String spec, IntSupplier gpuCount) {
        if (spec == null || spec.isBlank()) {
            throw new FewNerException("--device: empty device (expected one of: " + FORMS + ")");
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        int index;
        if (s.equals("gpu") || s.equals("cuda")) {
            index = 0;
        } else if (s.startsWith("gpu:") || s.startsWith("cuda:")) {
            String n = s.substring(s.indexOf(':') + 1);
            if (!n.matches("[0-9]{1,4}")) {
                throw new FewNerException(
                        "--device '"
                                + spec
                                + "': GPU index '"
                                + n
                                + "' is not a non-negative integer (expected one of: "
                                + FORMS
                                + ")");
            }
            index = Integer.parseInt(n);
        } else {
            throw new FewNerException(
                    "--device '" + spec + "' is not a device (expected one of: " + FORMS + ")");
        }
        int count = gpuCount.getAsInt();
        if (count <= 0) {
            throw new FewNerException(
                    "--device '"
                            + spec
                            + "': no GPU is visible to the PyTorch engine "
                            + "(it runs the bundled CPU libtorch, or this host has no CUDA device). Use --device cpu, or build "
                            + "with the Maven profile -Pgpu on a CUDA host (see llm/docs/models-and-devices.md)");
        }
        if (index >= count) {
            throw new FewNerException(
                    "--device '"
                            + spec
                            + "': GPU "
                            + index
                            + " does not exist ("
                            + count
                            + " GPU"
                            + (count == 1 ? "" : "s")
                            + " visible: gpu:0"
                            + (count > 1 ? " .. gpu:" + (count - 1) : "")
                            + ")");
        }
        return Device.gpu(index);
    }
}
