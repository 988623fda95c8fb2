package org.fewner.llm.generation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One state of a {@link SpanConstraint}: which tokens may come next, and the spans completed so
 * far. Immutable; {@link #next} returns the successor.
 */
public final class ConstraintState {
    enum Kind {
        FIXED,
        SPAN,
        AFTER_SPAN,
        END,
        DONE
    }

    /** What follows a fixed token sequence. */
    enum Next {
        SPAN,
        AFTER_SPAN,
        END
    }

    /** Completed spans, newest first (persistent list). */
    record History(Span span, History previous) {
        List<Span> toList() {
            List<Span> out = new ArrayList<>();
            for (History h = this; h != null; h = h.previous) {
                out.add(h.span);
            }
            Collections.reverse(out);
            return out;
        }
    }

    /**
     * One NFA configuration.
     *
     * @param seq FIXED: the marker being emitted
     * @param pos FIXED: tokens of {@code seq} already emitted
     * @param next FIXED: what comes after the marker
     * @param node SPAN: position in the span trie
     * @param k first word a new span may start at
     */
    record Config(
            Kind kind, long[] seq, int pos, Next next, SpanTrie.Node node, int k, History history) {
        static Config fixed(long[] seq, int pos, Next next, int k, History h) {
            return new Config(Kind.FIXED, seq, pos, next, null, k, h);
        }

        /**
         * The value that de-duplicates configurations (the history is not part of it: the first one
         * found is kept): the marker's tokens by content, the trie node by its id.
         */
        Object key() {
            return new Key(
                    kind,
                    seq == null ? null : java.nio.LongBuffer.wrap(seq),
                    pos,
                    next,
                    node == null ? -1 : node.id,
                    k);
        }
    }

    /** {@link Config#key}: equal exactly when two configurations behave the same. */
    private record Key(Kind kind, java.nio.LongBuffer seq, int pos, Next next, int node, int k) {}

    private final SpanConstraint automaton;
    private final List<Config> configs;
    private final long[] allowed;

    ConstraintState(SpanConstraint automaton, List<Config> configs) {
        this.automaton = automaton;
        List<Config> unique = new ArrayList<>();
        Set<Object> seen = new java.util.HashSet<>();
        for (Config c : configs) {
            if (seen.add(c.key())) {
                unique.add(c);
            }
        }
        this.configs = unique;
        Set<Long> ids = new LinkedHashSet<>();
        for (Config c : unique) {
            switch (c.kind) {
                case FIXED -> ids.add(c.seq[c.pos]);
                case SPAN ->
                        c.node.children.forEach(
                                (t, child) -> {
                                    if (child.maxStart >= c.k) {
                                        ids.add(t);
                                    }
                                });
                case END -> {
                    for (long e : automaton.eos) {
                        ids.add(e);
                    }
                }
                default -> {}
            }
        }
        this.allowed = ids.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Token ids allowed next, sorted; empty once the answer is complete. */
    public long[] allowed() {
        return allowed.clone();
    }

    /** Whether {@code token} is allowed next. */
    public boolean allows(long token) {
        return java.util.Arrays.binarySearch(allowed, token) >= 0;
    }

    /** Whether an end token has been accepted: the answer is complete. */
    public boolean isDone() {
        return configs.stream().anyMatch(c -> c.kind == Kind.DONE);
    }

    /**
     * Spans completed so far, in order (of the preferred configuration: the earliest occurrences).
     */
    public List<Span> spans() {
        for (Config c : configs) {
            if (c.kind == Kind.DONE) {
                return c.history == null ? List.of() : c.history.toList();
            }
        }
        return configs.isEmpty() || configs.get(0).history == null
                ? List.of()
                : configs.get(0).history.toList();
    }

    /**
     * The state after {@code token}.
     *
     * @throws IllegalArgumentException when the token is not allowed here
     */
    public ConstraintState next(long token) {
        if (!allows(token)) {
            throw new IllegalArgumentException(
                    "token " + token + " is not allowed by the span constraint here");
        }
        List<Config> out = new ArrayList<>();
        for (Config c : configs) {
            switch (c.kind) {
                case FIXED -> {
                    if (c.seq[c.pos] == token) {
                        closure(
                                automaton,
                                Config.fixed(c.seq, c.pos + 1, c.next, c.k, c.history),
                                out);
                    }
                }
                case SPAN -> {
                    SpanTrie.Node child = c.node.children.get(token);
                    if (child != null && child.maxStart >= c.k) {
                        closure(
                                automaton,
                                new Config(Kind.SPAN, null, 0, null, child, c.k, c.history),
                                out);
                    }
                }
                case END -> {
                    if (automaton.isEos(token)) {
                        out.add(new Config(Kind.DONE, null, 0, null, null, c.k, c.history));
                    }
                }
                default -> {}
            }
        }
        return new ConstraintState(automaton, out);
    }

    /** Adds {@code c} and every configuration reachable from it without consuming a token. */
    static void closure(SpanConstraint a, Config c, List<Config> out) {
        switch (c.kind) {
            case FIXED -> {
                if (c.pos < c.seq.length) {
                    out.add(c);
                } else if (c.next == Next.SPAN) {
                    closure(
                            a,
                            new Config(Kind.SPAN, null, 0, null, a.trie.root, c.k, c.history),
                            out);
                } else if (c.next == Next.AFTER_SPAN) {
                    closure(
                            a,
                            new Config(Kind.AFTER_SPAN, null, 0, null, null, c.k, c.history),
                            out);
                } else {
                    out.add(new Config(Kind.END, null, 0, null, null, c.k, c.history));
                }
            }
            case SPAN -> {
                int[] t = c.node.terminal(c.k);
                if (t != null) {
                    History h = new History(a.span(t[0], t[1]), c.history);
                    closure(a, Config.fixed(a.close, 0, Next.AFTER_SPAN, t[1] + 1, h), out);
                }
                boolean more = c.node.children.values().stream().anyMatch(ch -> ch.maxStart >= c.k);
                if (more) {
                    out.add(c);
                }
            }
            case AFTER_SPAN -> {
                addOpen(a, c.k, c.history, out);
                out.add(new Config(Kind.END, null, 0, null, null, c.k, c.history));
            }
            default -> out.add(c);
        }
    }

    /** An opening marker, when some span can still start at or after word {@code k}. */
    static void addOpen(SpanConstraint a, int k, History h, List<Config> out) {
        if (a.trie.root.maxStart >= k) {
            closure(a, Config.fixed(a.open, 0, Next.SPAN, k, h), out);
        }
    }

    @Override
    public String toString() {
        return "ConstraintState" + configs.stream().map(c -> c.kind + "@" + c.k).toList();
    }
}
