package org.fewner.llm.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Typed access to config.json fields with errors that name the file and the field. */
final class ConfigReader {
    private final Path file;
    private final ObjectNode raw;

    /** More layers than any real model has: a bigger value is a corrupt config. */
    static final int MAX_LAYERS = 10_000;

    ConfigReader(Path file, ObjectNode raw) {
        this.file = file;
        this.raw = raw;
    }

    ObjectNode raw() {
        return raw;
    }

    boolean has(String f) {
        return raw.has(f);
    }

    ConfigException error(String msg) {
        return new ConfigException(file, msg);
    }

    int integer(String f) {
        JsonNode n = raw.get(f);
        if (n == null || n.isNull()) {
            throw error("missing required field '" + f + "'");
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw error("field '" + f + "' must be an integer, found " + n);
        }
        return n.asInt();
    }

    /** A required integer that must be at least 1 (a size or a count). */
    int positive(String f) {
        int v = integer(f);
        if (v < 1) {
            throw error("field '" + f + "' must be a positive integer, found " + v);
        }
        return v;
    }

    /** An optional integer that must be at least 1 when given. */
    int positive(String f, int dflt) {
        return has(f) && !raw.get(f).isNull() ? positive(f) : dflt;
    }

    /** An optional number that must be finite and above 0 when given (an epsilon, a base). */
    double positiveNumber(String f, double dflt) {
        double v = number(f, dflt);
        if (!(v > 0) || Double.isInfinite(v)) {
            throw error("field '" + f + "' must be a number above 0, found " + raw.get(f));
        }
        return v;
    }

    int integer(String f, int dflt) {
        return has(f) && !raw.get(f).isNull() ? integer(f) : dflt;
    }

    double number(String f, double dflt) {
        JsonNode n = raw.get(f);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw error("field '" + f + "' must be a number, found " + n);
        }
        return n.asDouble();
    }

    boolean bool(String f, boolean dflt) {
        JsonNode n = raw.get(f);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw error("field '" + f + "' must be true or false, found " + n);
        }
        return n.asBoolean();
    }

    String string(String f, String dflt) {
        JsonNode n = raw.get(f);
        return n == null || n.isNull() ? dflt : n.asText();
    }

    List<Integer> intList(String f) {
        JsonNode n = raw.get(f);
        List<Integer> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isArray()) {
            for (JsonNode x : n) {
                if (!x.isIntegralNumber() || !x.canConvertToInt()) {
                    throw error("field '" + f + "' must hold integers, found " + x);
                }
                out.add(x.asInt());
            }
        } else {
            out.add(integer(f));
        }
        return out;
    }
}
