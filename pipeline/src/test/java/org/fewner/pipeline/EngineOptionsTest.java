package org.fewner.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.fewner.common.FewNerException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The engine options mixin: defaults, parsing, adapter names, the --format check. */
class EngineOptionsTest {
    @Command(name = "t")
    static final class Cmd {
        @Mixin EngineOptions engine = new EngineOptions();
    }

    static EngineOptions parse(String... args) {
        Cmd c = new Cmd();
        new CommandLine(c).parseArgs(args);
        return c.engine;
    }

    @Test
    void defaultsAndValuesBecomeSettings() {
        AnnotatePipeline.Settings s =
                parse("--support", "s.conll", "--format", "conll").settings().build();
        assertEquals(
                AnnotatePipeline.settings()
                        .model("default")
                        .device("cpu")
                        .method("span")
                        .support("s.conll", "conll")
                        .batchSize(16)
                        .threshold(0)
                        .build(),
                s);
        s =
                parse(
                                "--model",
                                "m",
                                "--method",
                                "span",
                                "--option",
                                "layer=9",
                                "--option",
                                "threshold=0.5",
                                "--support",
                                "s.conll",
                                "--format",
                                "conll2003",
                                "--types",
                                "PER,LOC",
                                "--batch-size",
                                "4",
                                "--threshold",
                                "0.25",
                                "--adapter",
                                "/x/news")
                        .settings()
                        .build();
        assertEquals("m", s.model());
        assertEquals("cpu", s.device());
        assertEquals("span", s.method());
        assertEquals(List.of("layer=9", "threshold=0.5"), s.methodOptions());
        assertEquals("conll2003", s.supportFormat());
        assertEquals(List.of("PER", "LOC"), s.types());
        assertEquals(4, s.batchSize());
        assertEquals(0.25f, s.threshold());
        assertEquals(Map.of("news", "/x/news"), s.adapters());
        assertEquals("news", s.adapter());
    }

    @Test
    void adaptersAreNamedByTheirDirectoryUnlessNamed() {
        EngineOptions o =
                parse(
                        "--support",
                        "s",
                        "--format",
                        "conll",
                        "--adapter",
                        "legal=/a/b",
                        "--adapter",
                        "sparkfiles:news",
                        "--adapter",
                        "dir/bio/");
        Map<String, String> byName = o.adapters(l -> l.replaceFirst("^sparkfiles:", ""));
        assertEquals(List.of("legal", "news", "bio"), List.copyOf(byName.keySet()));
        assertEquals("sparkfiles:news", byName.get("news"));
        assertEquals(
                Path.of("dir/bio/").toString(),
                Path.of(o.adapters(UnaryOperator.identity()).get("bio")).toString());
    }

    @Test
    void spanIsTheDefaultMethodAndHelpSaysSo() {
        assertEquals("span", parse("--support", "s", "--format", "conll").method());
        assertEquals(
                "gpu:1",
                parse("--support", "s", "--format", "conll", "--device", "gpu:1")
                        .settings()
                        .build()
                        .device());
        String help = new CommandLine(new Cmd()).getUsageMessage();
        assertTrue(help.replaceAll("\\s+", " ").contains("Default: span."), help);
        assertTrue(help.contains("--device"), help);
    }

    @Test
    void badFormatIsOneLine() {
        EngineOptions o = parse("--support", "s", "--format", "bogus");
        FewNerException e = assertThrows(FewNerException.class, o::settings);
        assertEquals(
                "--format 'bogus': expected one of conll2003, conll, fewnerd-episodes, xmi",
                e.getMessage());
    }

    @Test
    void supportAndFormatAreRequired() {
        assertThrows(CommandLine.MissingParameterException.class, () -> parse("--model", "m"));
    }
}
