package org.fewner.llm.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * libtorch's intra-op threads of the calling thread, for running several forwards at once.
 *
 * <p>libtorch on CPU runs its ops on the bundled GNU OpenMP (and MKL's GEMMs on the same runtime);
 * {@code at::set_num_threads} sets the OpenMP team size ({@code omp_set_num_threads}) and MKL's
 * thread count ({@code mkl_set_num_threads_local}) <em>of the calling thread</em>, and libgomp
 * gives every native thread that opens a parallel region its own pool of workers. So a caller can
 * run its forward with {@code n} threads while another caller runs with {@code n} too: two
 * concurrent forwards with one thread each use two cores without oversubscribing them. (libtorch
 * also stores the count in one process-wide variable, read by {@code at::get_num_threads}; callers
 * that all set the same value agree on it.)
 */
public final class IntraOpThreads {
    private IntraOpThreads() {}

    /**
     * The process's intra-op thread count as libtorch reports it (DJL sets it at engine start from
     * {@code ai.djl.pytorch.num_threads}, or the core count).
     */
    public static int configured() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }

    /** Whether intra-op threads can be chosen per call on this device (libtorch on CPU). */
    public static boolean settable(Device device) {
        return "cpu".equals(device.getDeviceType())
                && "PyTorch".equals(Engine.getDefaultEngineName());
    }

    /**
     * Runs {@code body} with the calling thread's intra-op threads set to {@code threads}, and sets
     * {@code restore} afterwards.
     */
    public static <T> T call(int threads, int restore, Supplier<T> body) {
        JniUtils.setNumThreads(threads);
        try {
            return body.get();
        } finally {
            JniUtils.setNumThreads(restore);
        }
    }
}
