package org.fewner.llm.tensors;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors from one or more files (a single safetensors file, or the shards of an indexed
 * checkpoint).
 */
public interface TensorSource extends AutoCloseable {

    /** Tensor names, sorted. */
    Set<String> names();

    boolean contains(String name);

    /** The tensor, or a {@link TensorFileException} naming the file(s) when it is absent. */
    HostTensor get(String name);

    /**
     * A weight tensor, checked once as it is loaded: its dtype must be floating point (F32, F16,
     * BF16; an integer tensor where a weight belongs would be read as integers) and every value
     * finite. Either failure is a {@link TensorFileException} naming the tensor.
     */
    default HostTensor weight(String name) {
        HostTensor t = get(name);
        checkWeight(path(), name, t);
        return t;
    }

    /** The checks of {@link #weight} on a tensor already read from {@code file}. */
    static void checkWeight(Path file, String name, HostTensor t) {
        if (!t.dtype().isFloating()) {
            throw new TensorFileException(
                    file,
                    "tensor "
                            + org.fewner.common.FewNerException.quote(name)
                            + " has dtype "
                            + t.dtype()
                            + ", expected a floating-point weight (F32, F16 or BF16)");
        }
        long bad = t.firstNonFinite();
        if (bad >= 0) {
            throw new TensorFileException(
                    file,
                    "tensor "
                            + org.fewner.common.FewNerException.quote(name)
                            + " holds "
                            + t.floatAt(bad)
                            + " at element "
                            + bad
                            + " (weights must be finite; the file is corrupt or the training"
                            + " diverged)");
        }
    }

    /** The dtype and shape of a tensor without reading its bytes. */
    TensorInfo info(String name);

    /** The {@code __metadata__} string map of the (first) file. */
    Map<String, String> metadata();

    /** Where the tensors come from, for error messages. */
    Path path();

    @Override
    void close();

    /** Header entry of one tensor. */
    record TensorInfo(String name, DType dtype, long[] shape) {}
}
