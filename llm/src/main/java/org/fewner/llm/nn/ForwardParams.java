package org.fewner.llm.nn;

import ai.djl.util.PairList;

/**
 * Per-call options passed through DJL's {@code forward(..., PairList params)}: which LoRA adapter a
 * call uses. Keeping the choice per call (not as state on the model) is what lets two threads use
 * different adapters on one loaded base at the same time.
 */
public final class ForwardParams {
    /** Key of the adapter name in the params list; absent or null means the base model alone. */
    public static final String ADAPTER = "fewner.adapter";

    private ForwardParams() {}

    public static PairList<String, Object> withAdapter(String adapter) {
        PairList<String, Object> p = new PairList<>();
        if (adapter != null) {
            p.add(ADAPTER, adapter);
        }
        return p;
    }

    /** The adapter named in {@code params}, or null. */
    public static String adapterOf(PairList<String, Object> params) {
        if (params == null) {
            return null;
        }
        Object v = params.get(ADAPTER);
        return v == null ? null : v.toString();
    }
}
