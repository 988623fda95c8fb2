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
