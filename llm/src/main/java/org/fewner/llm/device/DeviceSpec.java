package org.fewner.llm.device;

import ai.djl.Device;

/**
 * TEMPORARY STAND-IN on branch {@code bert}; the real parser comes from the "modelfiles" branch and replaces this
 * file on merge. Accepts "cpu", "gpu" and "gpu:N".
 */
public final class DeviceSpec {
    private DeviceSpec() {}

    public static Device parse(String spec) {
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        if (s.equals("gpu")) {
            return Device.gpu();
        }
        if (s.startsWith("gpu:")) {
            try {
                return Device.gpu(Integer.parseInt(s.substring(4)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("device '" + spec + "': expected cpu, gpu or gpu:N");
    }
}
