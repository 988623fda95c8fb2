package org.fewner.llm.generation;

import java.util.HashMap;
import java.util.Map;

/**
 * A trie over the token sequences of all candidate spans (word i..j, tokenised as the answer writes
 * them). Each node knows the latest first word of any span below it, so a walk can be restricted to
 * spans starting at or after a given word without dead ends.
 */
final class SpanTrie {
    /** One trie node. */
    static final class Node {
        /** Unique within its trie (creation order): the node's value in de-duplication keys. */
        final int id;

        Node(int id) {
            this.id = id;
        }

        /** Children by token id. */
        final Map<Long, Node> children = new HashMap<>();

        /** Largest first-word index among the spans whose tokens pass through this node. */
        int maxStart = -1;

        /** Spans whose token sequence ends here, as {first, last} word pairs. */
        final java.util.List<int[]> terminals = new java.util.ArrayList<>();

        /**
         * The span ending here that starts at or after word {@code k} and ends earliest (ties: the
         * later start), or null: choosing the earliest end keeps the most room for later spans, so
         * repeated words map to their first possible occurrence.
         */
        int[] terminal(int k) {
            int[] best = null;
            for (int[] t : terminals) {
                if (t[0] >= k
                        && (best == null
                                || t[1] < best[1]
                                || (t[1] == best[1] && t[0] > best[0]))) {
                    best = t;
                }
            }
            return best;
        }
    }

    private int nodes;

    final Node root = new Node(nodes++);

    void add(long[] tokens, int first, int last) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException(
                    "span of words " + first + ".." + last + " tokenises to nothing");
        }
        Node n = root;
        n.maxStart = Math.max(n.maxStart, first);
        for (long t : tokens) {
            n = n.children.computeIfAbsent(t, x -> new Node(nodes++));
            n.maxStart = Math.max(n.maxStart, first);
        }
        n.terminals.add(new int[] {first, last});
    }
}
