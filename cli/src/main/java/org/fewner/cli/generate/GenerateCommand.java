package org.fewner.cli.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import org.fewner.cli.options.ModelOption;
import org.fewner.cli.options.Range;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.generation.PromptTemplate;
import org.fewner.llm.generation.Span;
import org.fewner.llm.generation.SpanGenerator;
import org.fewner.llm.generation.Words;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Constrained span generation with a decoder LLM; prints the answer and spans as JSON. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Constrained span generation with a decoder LLM; prints the answer and spans as JSON.")
public final class GenerateCommand implements Runnable {
    /**
     * {@code --model} (a decoder directory with config.json, weights, tokenizer.json), --device.
     */
    @Mixin ModelOption modelOption;

    @Option(
            names = "--types",
            required = true,
            description = "entity types, comma-separated, e.g. \"person,location\"")
    String types;

    @Option(names = "--text", required = true, description = "the input sentence")
    String text;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "64",
            description = "answer length limit (default ${DEFAULT-VALUE})")
    @Range(min = 1)
    int maxNewTokens;

    @Option(
            names = "--beams",
            defaultValue = "1",
            description = "beam width, 1 = greedy (default ${DEFAULT-VALUE})")
    @Range(min = 1)
    int beams;

    @Option(
            names = "--max-span-words",
            defaultValue = "10",
            description = "longest entity in words (default ${DEFAULT-VALUE})")
    @Range(min = 1)
    int maxSpanWords;

    @Override
    public void run() {
        List<String> typeList =
                Arrays.stream(types.split(","))
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .toList();
        if (typeList.isEmpty()) {
            throw new FewNerException("--types: give at least one entity type");
        }
        if (beams < 1 || maxNewTokens < 1 || maxSpanWords < 1) {
            throw new FewNerException(
                    "--beams, --max-new-tokens and --max-span-words must be >= 1");
        }
        ObjectMapper json = Json.MAPPER;
        ObjectNode out = json.createObjectNode();
        out.put("text", text);
        ArrayNode results = out.putArray("results");
        long t0 = System.nanoTime();
        try (DecoderModel m = modelOption.loadDecoder("generate")) {
            if (!m.hasTokenizer()) {
                throw new FewNerException(
                        modelOption.directory()
                                + ": no tokenizer.json (generation needs the model's tokenizer)");
            }
            SpanGenerator gen = new SpanGenerator(m, PromptTemplate.DEFAULT, maxSpanWords);
            Words words = Words.split(text);
            for (String type : typeList) {
                SpanGenerator.Answer a =
                        gen.generate(type, null, text, words, null, beams, maxNewTokens);
                ObjectNode r = results.addObject();
                r.put("type", type);
                r.put("answer", a.answer());
                r.put("finished", a.finished());
                r.put("tokens", a.tokens());
                r.put("logprob", a.score());
                ArrayNode spans = r.putArray("spans");
                for (Span s : a.spans()) {
                    spans.addObject()
                            .put("start", s.start())
                            .put("end", s.end())
                            .put("text", s.text());
                }
            }
        }
        out.put("seconds", (System.nanoTime() - t0) / 1e9);
        try {
            System.out.println(json.writeValueAsString(out));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
