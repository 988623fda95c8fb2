package org.fewner.examples;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.fewner.training.span.SpanTraining;
import org.fewner.training.span.SpanTrainingConfig;

/**
 * Example 2: trains a span adapter from a CoNLL-2003 file through the uimaFIT training pipeline.
 * {@link SpanTraining#run} reads the file with FewNER's {@code Conll2003Reader} into CASes, the
 * {@code TrainingExampleCollector} consumer turns their {@code Sentence}/{@code Token}/{@code
 * NamedEntity} layers into training examples (reporting every dropped entity with a count), and the
 * span trainer writes a PEFT-layout adapter directory with its heads and {@code training.json} —
 * the same code as {@code ./fewner train --method span}.
 *
 * <pre>
 * java -cp ... org.fewner.examples.TrainSpanAdapter MODEL_DIR eng.train OUT_DIR [STEPS]
 * </pre>
 */
public final class TrainSpanAdapter {
    private TrainSpanAdapter() {}

    /**
     * Trains an adapter on one CoNLL-2003 file.
     *
     * @param model the backbone's directory (or the path of a cached default model)
     * @param conll2003 the training file, CoNLL-2003 format
     * @param out the adapter directory to write
     * @param config the training settings ({@link SpanTrainingConfig#defaults()} for the shipped
     *     recipe)
     * @return the {@code training.json} record
     */
    public static JsonNode train(Path model, Path conll2003, Path out, SpanTrainingConfig config) {
        return SpanTraining.run(
                new SpanTraining.Options(
                        model,
                        model.toString(),
                        List.of("conll2003:" + conll2003),
                        List.of(),
                        out,
                        config,
                        List.of(),
                        false,
                        null,
                        null,
                        "examples TrainSpanAdapter " + conll2003,
                        "examples"));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: TrainSpanAdapter MODEL_DIR CONLL2003_FILE OUT_DIR [STEPS]");
            System.exit(2);
        }
        SpanTrainingConfig config = SpanTrainingConfig.defaults();
        if (args.length > 3) {
            var tree = org.fewner.common.Json.MAPPER.valueToTree(config);
            ((com.fasterxml.jackson.databind.node.ObjectNode) tree)
                    .put("maxSteps", Integer.parseInt(args[3]));
            config = org.fewner.common.Json.MAPPER.treeToValue(tree, SpanTrainingConfig.class);
        }
        JsonNode record = train(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), config);
        System.out.println(org.fewner.common.Json.pretty(record));
    }
}
