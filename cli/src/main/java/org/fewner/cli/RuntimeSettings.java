package org.fewner.cli;

/**
 * DJL settings that keep FewNER offline (../shared/docs/stack.md, section 2): no telemetry call, no
 * native download, the PyTorch engine explicitly. Set before the first DJL class is touched; a
 * user's own -D wins.
 */
public final class RuntimeSettings {
    private RuntimeSettings() {}

    public static void applyOfflineDefaults() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.default_engine", "PyTorch");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
