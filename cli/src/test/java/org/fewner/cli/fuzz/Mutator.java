package org.fewner.cli.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random mutations of valid inputs, for the parser fuzz tests: structural mutations of a
 * JSON tree (a field removed, a value of another type or out of range, an array cut or doubled) and
 * byte-level mutations of text (truncation, flipped or inserted bytes, lines dropped or
 * duplicated). Written here rather than taken from Jazzer: the registry has no Jazzer JUnit 5
 * integration that runs offline without its native agent, and a few dozen lines of seeded mutation
 * are enough to reach every error branch of these small formats.
 */
public final class Mutator {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final Random rnd;

    public Mutator(long seed) {
        this.rnd = new Random(seed);
    }

    public Random random() {
        return rnd;
    }

    /** A deep copy of {@code root} with 1 to 3 structural mutations. */
    public JsonNode mutate(JsonNode root) {
        JsonNode copy = root.deepCopy();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            copy = mutateOnce(copy);
        }
        return copy;
    }

    private JsonNode mutateOnce(JsonNode root) {
        if (!root.isContainerNode() || root.isEmpty()) {
            return randomValue();
        }
        // walk down: at each container pick a random child, stop with probability 1/3
        JsonNode parent = root;
        while (true) {
            List<Object> keys = keys(parent);
            Object key = keys.get(rnd.nextInt(keys.size()));
            JsonNode child = parent.isObject() ? parent.get((String) key) : parent.get((int) key);
            if (child.isContainerNode() && !child.isEmpty() && rnd.nextInt(3) != 0) {
                parent = child;
                continue;
            }
            apply(parent, key, child);
            return root;
        }
    }

    private static List<Object> keys(JsonNode container) {
        List<Object> keys = new ArrayList<>();
        if (container.isObject()) {
            for (Iterator<String> it = container.fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
        } else {
            for (int i = 0; i < container.size(); i++) {
                keys.add(i);
            }
        }
        return keys;
    }

    private void apply(JsonNode parent, Object key, JsonNode child) {
        int op = rnd.nextInt(6);
        if (parent.isObject()) {
            ObjectNode o = (ObjectNode) parent;
            String k = (String) key;
            switch (op) {
                case 0 -> o.remove(k);
                case 1 -> o.set(k, tweak(child));
                case 2 -> o.set(k, randomValue());
                case 3 -> o.set(k + (rnd.nextBoolean() ? "" : "_x"), tweak(child));
                case 4 -> o.set(k, child.isContainerNode() ? cut(child) : tweak(child));
                default -> o.set(k, F.nullNode());
            }
        } else {
            ArrayNode a = (ArrayNode) parent;
            int i = (int) key;
            switch (op) {
                case 0 -> a.remove(i);
                case 1 -> a.set(i, tweak(child));
                case 2 -> a.set(i, randomValue());
                case 3 -> a.add(child.deepCopy());
                case 4 -> a.insert(rnd.nextInt(a.size() + 1), child.deepCopy());
                default -> a.set(i, F.nullNode());
            }
        }
    }

    private JsonNode cut(JsonNode c) {
        JsonNode copy = c.deepCopy();
        if (copy instanceof ArrayNode a) {
            int keep = a.size() == 0 ? 0 : rnd.nextInt(a.size());
            while (a.size() > keep) {
                a.remove(a.size() - 1);
            }
        } else if (copy instanceof ObjectNode o) {
            List<Object> keys = keys(o);
            for (Object k : keys) {
                if (rnd.nextBoolean()) {
                    o.remove((String) k);
                }
            }
        }
        return copy;
    }

    /**
     * The same kind of value, changed: a number scaled, negated or at a limit; a string altered.
     */
    private JsonNode tweak(JsonNode v) {
        if (v.isIntegralNumber()) {
            long x = v.asLong();
            long[] choices = {
                -x, 0, -1, x + 1, x - 1, x * 1000, Integer.MAX_VALUE, Long.MIN_VALUE, 1L << 40
            };
            return F.numberNode(choices[rnd.nextInt(choices.length)]);
        }
        if (v.isNumber()) {
            double x = v.asDouble();
            double[] choices = {-x, 0, -1e-12, x * 1e6, 1e308, Double.MIN_VALUE};
            return F.numberNode(choices[rnd.nextInt(choices.length)]);
        }
        if (v.isTextual()) {
            String s = v.asText();
            return switch (rnd.nextInt(5)) {
                case 0 -> F.textNode("");
                case 1 -> F.textNode(s.isEmpty() ? "x" : s.substring(0, rnd.nextInt(s.length())));
                case 2 -> F.textNode(s + s);
                case 3 -> F.textNode("\u0000" + s + "\uFFFF");
                default -> F.textNode("x".repeat(300));
            };
        }
        if (v.isBoolean()) {
            return F.booleanNode(!v.asBoolean());
        }
        return randomValue();
    }

    private JsonNode randomValue() {
        return switch (rnd.nextInt(9)) {
            case 0 -> F.nullNode();
            case 1 -> F.numberNode(-1);
            case 2 -> F.numberNode(0);
            case 3 -> F.numberNode(1.5);
            case 4 -> F.textNode("");
            case 5 -> F.textNode("bogus");
            case 6 -> F.arrayNode();
            case 7 -> F.objectNode();
            default -> F.booleanNode(rnd.nextBoolean());
        };
    }

    /** {@code text} with 1 to 3 byte or line mutations. */
    public byte[] mutateBytes(byte[] text) {
        byte[] b = text.clone();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            b = mutateBytesOnce(b);
        }
        return b;
    }

    private byte[] mutateBytesOnce(byte[] b) {
        if (b.length == 0) {
            return new byte[] {(byte) rnd.nextInt(256)};
        }
        int at = rnd.nextInt(b.length);
        switch (rnd.nextInt(7)) {
            case 0 -> { // truncate
                return java.util.Arrays.copyOf(b, at);
            }
            case 1 -> { // flip a byte
                byte[] c = b.clone();
                c[at] = (byte) rnd.nextInt(256);
                return c;
            }
            case 2 -> { // insert a structural character
                byte[] ins =
                        pick("\t", " ", "\n", "\"", "{", "}", "[", "]", ",", ":", "\\", "-")
                                .getBytes(StandardCharsets.UTF_8);
                return splice(b, at, 0, ins);
            }
            case 3 -> { // delete a run
                return splice(b, at, Math.min(b.length - at, 1 + rnd.nextInt(16)), new byte[0]);
            }
            case 4 -> { // duplicate a run
                int len = Math.min(b.length - at, 1 + rnd.nextInt(64));
                return splice(b, at, 0, java.util.Arrays.copyOfRange(b, at, at + len));
            }
            case 5 -> { // invalid UTF-8 / NUL
                return splice(b, at, 0, new byte[] {(byte) 0xC3, 0, (byte) 0xFF});
            }
            default -> { // replace a token
                byte[] ins =
                        pick("-1", "0", "1e999", "NaN", "null", "true", "\"\"", "99999999999")
                                .getBytes(StandardCharsets.UTF_8);
                return splice(b, at, Math.min(b.length - at, 1 + rnd.nextInt(4)), ins);
            }
        }
    }

    private String pick(String... options) {
        return options[rnd.nextInt(options.length)];
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /** Keys of an object node, for tests that want to name a field. */
    public static List<String> fieldNames(JsonNode o) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            out.add(it.next().getKey());
        }
        return out;
    }
}
