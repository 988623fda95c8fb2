package org.fewner.llm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory figures of this process from {@code /proc/self/status} (Linux). */
public final class ProcessStats {
    private ProcessStats() {}

    /** Peak resident set size (VmHWM) in MiB, or -1 where /proc is not available. */
    public static double peakRssMiB() {
        return field("VmHWM:");
    }

    /** Current resident set size (VmRSS) in MiB, or -1. */
    public static double rssMiB() {
        return field("VmRSS:");
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
