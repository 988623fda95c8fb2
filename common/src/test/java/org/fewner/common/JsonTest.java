package org.fewner.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    @TempDir Path tmp;

    @Test
    void lineIsOneLineInDeclaredOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 1);
        m.put("a", "x");
        assertEquals("{\"b\":1,\"a\":\"x\"}", Json.line(m));
    }

    @Test
    void parseLineNamesFileLineAndColumnOnOneLine() {
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () -> Json.parseLine(Path.of("p.jsonl"), 7, "{\"a\": NaN}"));
        assertTrue(
                e.getMessage().startsWith("p.jsonl:7:10: not valid JSON: Non-standard token 'NaN'"),
                e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'));
    }

    @Test
    void readTreeNamesTheFileAndWriteAtomicallyRoundTrips() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.json"), "{\n  \"a\": [1,\n}");
        FewNerException e = assertThrows(FewNerException.class, () -> Json.readTree(bad));
        assertTrue(e.getMessage().startsWith(bad + ":3:"), e.getMessage());
        Path good = tmp.resolve("good.json");
        Json.writeAtomically(good, Map.of("k", 2));
        assertEquals(2, Json.readTree(good).get("k").asInt());
        assertTrue(Files.readString(good).endsWith("}\n"));
    }
}
