package org.fewner.evaluation;

/** The tasks of one protocol, in a fixed order. */
public interface TaskSource extends AutoCloseable {
    /** Number of tasks this source will give. */
    int size();

    /**
     * Total query sentences over all tasks, when known cheaply (progress in sentences), else -1
     * (progress in tasks).
     */
    long querySentences();

    /** The next task, or null after the last. */
    Task next();

    /** Skips the next task (resume); false when there is none. */
    boolean skip();

    @Override
    void close();
}
