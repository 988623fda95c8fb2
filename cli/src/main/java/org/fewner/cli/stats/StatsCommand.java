package org.fewner.cli.stats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fewner stats --format FORMAT FILE...}: one JSON line per file with {@code file, sentences,
 * tokens, entities, types} (+ {@code episodes, support_sentences, query_sentences} for episode
 * files), counted by the rule of {@code datasets/README.md} with the readers' own parsing and
 * chunking code. Bad input stops with {@code fewner: <file>:<line>: <problem>} and exit code 2.
 */
@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description =
                "Counts sentences, tokens, entities and types of corpus files, one JSON object per file.")
public final class StatsCommand implements Callable<Integer> {

    @Option(
            names = "--format",
            required = true,
            paramLabel = "FORMAT",
            description =
                    "conll2003 (token POS chunk NER), conll (token<TAB>label), fewnerd-episodes (JSONL)")
    String format;

    @Parameters(
            arity = "1..*",
            paramLabel = "FILE",
            description = "files to count (.gz opened transparently)")
    List<String> files;

    @Spec CommandSpec spec;

    /** Writes like Python's json.dumps: {@code {"a": 1, "b": {"c": 2}}}. */
    static final ObjectWriter JSON =
            Json.MAPPER.writer(
                    new MinimalPrettyPrinter() {
                        @Override
                        public void writeObjectFieldValueSeparator(JsonGenerator g)
                                throws IOException {
                            g.writeRaw(": ");
                        }

                        @Override
                        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
                            g.writeRaw(", ");
                        }

                        @Override
                        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
                            g.writeRaw(", ");
                        }
                    });

    @Override
    public Integer call() throws IOException {
        CorpusStats.Format f = CorpusStats.Format.parse(format);
        PrintWriter out = spec.commandLine().getOut();
        for (String file : files) {
            Map<String, Object> counts;
            try {
                counts = CorpusStats.count(file, f);
            } catch (IOException e) {
                throw new FewNerException(file + ": cannot read: " + e.getMessage(), e);
            }
            out.println(JSON.writeValueAsString(counts));
            out.flush();
        }
        return 0;
    }
}
