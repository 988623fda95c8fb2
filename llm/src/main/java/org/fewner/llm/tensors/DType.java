package org.fewner.llm.tensors;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The safetensors element types FewNER reads and writes. F16 and BF16 are widened to F32 in Java,
 * never handed to DJL.
 */
public enum DType {
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloating() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** Parses a safetensors dtype string; unknown ones are an error naming the supported list. */
    public static DType parse(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unsupported dtype '"
                        + name
                        + "' (supported: "
                        + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))
                        + ")");
    }
}
