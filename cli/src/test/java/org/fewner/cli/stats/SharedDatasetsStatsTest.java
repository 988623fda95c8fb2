package org.fewner.cli.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.fewner.common.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Counts every dataset file listed in a {@code PROVENANCE.md} under {@code
 * <fewner.shared>/datasets} and compares with the JSON line there (sentences, tokens, entities,
 * types, and for Few-NERD episodes and support/query sentences). Skips when the shared folder is
 * absent. All 8 Few-NERD files take about 10-15 s on a 2-core machine, so they run by default.
 */
class SharedDatasetsStatsTest {
    private static final ObjectMapper MAPPER = Json.MAPPER;
    private static final Pattern BLOCK = Pattern.compile("```\\n(.*?)```", Pattern.DOTALL);

    @TestFactory
    Stream<DynamicTest> everyDatasetFileMatchesItsProvenance() throws Exception {
        String shared = System.getProperty("fewner.shared");
        Path datasets = shared == null ? null : Path.of(shared, "datasets");
        Assumptions.assumeTrue(
                datasets != null && Files.isDirectory(datasets),
                "fewner.shared not set or "
                        + datasets
                        + " absent: skipping the dataset count check");
        List<JsonNode> expected = new ArrayList<>();
        List<Path> provenance;
        try (Stream<Path> s = Files.walk(datasets)) {
            provenance =
                    s.filter(p -> p.getFileName().toString().equals("PROVENANCE.md"))
                            .sorted()
                            .collect(Collectors.toList());
        }
        for (Path p : provenance) {
            Matcher m = BLOCK.matcher(Files.readString(p));
            while (m.find()) {
                for (String line : m.group(1).split("\n")) {
                    if (line.strip().startsWith("{")) expected.add(MAPPER.readTree(line));
                }
            }
        }
        assertFalse(expected.isEmpty(), "no count lines found in " + provenance);
        return expected.stream()
                .map(
                        e ->
                                DynamicTest.dynamicTest(
                                        e.get("file").asText(),
                                        () -> {
                                            String rel = e.get("file").asText();
                                            CorpusStats.Format format =
                                                    rel.startsWith("conll2003/")
                                                            ? CorpusStats.Format.CONLL2003
                                                            : rel.startsWith("few-nerd/")
                                                                    ? CorpusStats.Format
                                                                            .FEWNERD_EPISODES
                                                                    : CorpusStats.Format.CONLL;
                                            Map<String, Object> got =
                                                    CorpusStats.count(
                                                            datasets.resolve(rel).toString(),
                                                            format);
                                            got.put("file", rel);
                                            // Same keys in the same order with the same values
                                            // (numbers compared as written).
                                            assertEquals(
                                                    MAPPER.writeValueAsString(e),
                                                    MAPPER.writeValueAsString(got),
                                                    rel);
                                        }));
    }
}
