package org.fewner.evaluation;

import java.util.List;

/** A list of tasks already in memory (cross-dataset samples, K-shot runs). */
public final class FixedTasks implements TaskSource {
    private final List<Task> tasks;
    private int at;

    public FixedTasks(List<Task> tasks) {
        this.tasks = List.copyOf(tasks);
    }

    @Override
    public int size() {
        return tasks.size();
    }

    @Override
    public long querySentences() {
        long n = 0;
        for (Task t : tasks) n += t.query().size();
        return n;
    }

    @Override
    public Task next() {
        return at < tasks.size() ? tasks.get(at++) : null;
    }

    @Override
    public boolean skip() {
        if (at >= tasks.size()) return false;
        at++;
        return true;
    }

    @Override
    public void close() {}
}
