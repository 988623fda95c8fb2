package org.fewner.cli.adapter;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fewner.cli.options.ModelOption;
import org.fewner.cli.options.OutputDirOption;
import org.fewner.cli.options.Range;
import org.fewner.common.FewNerException;
import org.fewner.llm.lora.AdapterRegistry;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.llm.lora.LoraHub;
import org.fewner.llm.model.Backbone;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Composes adapters with LoRAHub on a few labelled examples. On a decoder the task loss is the
 * generative method's NER loss (answer-token cross-entropy of the support set's instruction
 * examples, {@link GenerativeSupport}); on BERT, which cannot answer instructions, it stays the
 * language-model loss of the support text ({@link LanguageModelLoss}).
 */
@Command(
        name = "compose",
        mixinStandardHelpOptions = true,
        description = {
            "Composes adapters with LoRAHub: per module delta W = sum w_i s_i B_i A_i (--combination cat, rank",
            "concatenation) or A = sum w_i A_i, B = sum w_i B_i (linear, LoRAHub's rule), w in [-1.5, 1.5] searched",
            "by CMA-ES (commons-math3), started from the best of w = 0, each single adapter and their average, to",
            "minimise task loss + 0.05 * mean|w| on the support examples.",
            "Task loss on a decoder (--loss): the answer-token cross-entropy of one instruction per support",
            "sentence and type, as the generative method trains, or 1 - span F1 of greedy constrained generation",
            "on the support sentences; on BERT: the masked-LM loss of the support text."
        })
public final class AdapterComposeCommand implements Runnable {
    @Mixin ModelOption modelOption;

    @Option(
            names = "--adapters",
            required = true,
            split = ",",
            paramLabel = "A,B,C",
            description = "Adapter directories to compose (same base, modules and rank).")
    List<Path> adapters;

    @Option(
            names = "--support",
            required = true,
            paramLabel = "FILE",
            description = "The target's few labelled examples.")
    Path support;

    @Option(
            names = "--format",
            required = true,
            paramLabel = "conll2003|conll",
            description =
                    "Support file format, named as in fewner stats: conll2003 (4 columns) or conll (token and label).")
    String format;

    @Option(
            names = "--budget",
            defaultValue = "100",
            paramLabel = "N",
            description =
                    "Task-loss evaluations at most (LoRAHub's max_inference_step). Default: ${DEFAULT-VALUE}.")
    @Range(min = 2)
    int budget;

    @Option(
            names = "--combination",
            defaultValue = "cat",
            paramLabel = "cat|linear",
            description =
                    "cat: concatenate the factors along the rank, delta W = sum w_i s_i B_i A_i exactly (PEFT's"
                            + " combination_type=\"cat\"; the composed rank is the sum of the ranks); linear: LoRAHub's"
                            + " A = sum w_i A_i, B = sum w_i B_i (cross terms B_i A_j). Default: ${DEFAULT-VALUE}.")
    String combination;

    @Option(
            names = "--loss",
            paramLabel = "answer-ce|span-f1",
            description =
                    "Task loss on a decoder: answer-ce, the answer-token cross-entropy of one instruction per"
                            + " support sentence and type; span-f1, 1 - micro span F1 (exact spans and types) of"
                            + " greedy constrained generation on the support sentences. Default: answer-ce (on"
                            + " BERT the masked-LM loss of the support text, and --loss is refused).")
    String lossOption;

    @Option(
            names = "--seed",
            defaultValue = "42",
            paramLabel = "S",
            description = "CMA-ES seed. Default: ${DEFAULT-VALUE}.")
    @Range
    long seed;

    @Option(
            names = "--max-tokens",
            defaultValue = "64",
            paramLabel = "T",
            description = "Tokens per support sentence at most. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int maxTokens;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Directory for the composed adapter.")
    Path out;

    @Mixin OutputDirOption output;

    @Override
    public void run() {
        if (adapters.size() < 2) {
            throw new FewNerException(
                    "--adapters: give at least two adapter directories to compose");
        }
        if (budget < 2) {
            throw new FewNerException("--budget: expected at least 2 evaluations, got " + budget);
        }
        if (lossOption != null
                && !lossOption.equals(GenerativeSupport.ANSWER_CE)
                && !lossOption.equals(GenerativeSupport.SPAN_F1)) {
            throw new FewNerException(
                    "--loss: expected answer-ce or span-f1, got "
                            + FewNerException.quote(lossOption));
        }
        LoraHub.Combination rule;
        try {
            rule = LoraHub.Combination.parse(combination);
        } catch (IllegalArgumentException e) {
            throw new FewNerException("--combination: " + e.getMessage(), e);
        }
        List<LoraAdapter> sources = new ArrayList<>();
        for (Path p : adapters) {
            sources.add(LoraAdapter.read(p));
        }
        SupportSentences.Support supportSet = SupportSentences.readSupport(support, format);
        List<String> texts = supportSet.tokens().stream().map(t -> String.join(" ", t)).toList();
        try (Backbone model = modelOption.load();
                AdapterRegistry registry = new AdapterRegistry(model)) {
            for (int i = 0; i < sources.size(); i++) {
                sources.get(i)
                        .bind(registry.base()); // every source must fit the base before searching
            }
            org.fewner.llm.lora.TaskLoss loss;
            String kind;
            int supportSentences;
            String lossName;
            if (model instanceof org.fewner.llm.decoder.DecoderModel decoder) {
                lossName = lossOption == null ? GenerativeSupport.ANSWER_CE : lossOption;
                GenerativeSupport.Loss ner =
                        GenerativeSupport.loss(decoder, sources, support, format, lossName);
                loss = ner.loss();
                kind = ner.description();
                supportSentences = ner.sentences();
            } else {
                if (lossOption != null) {
                    throw new FewNerException(
                            "--loss "
                                    + lossOption
                                    + ": the NER losses need a decoder LLM; on "
                                    + model.config().modelType()
                                    + " the task loss is the masked-LM loss of the support text");
                }
                lossName = "masked-lm";
                LanguageModelLoss lm = new LanguageModelLoss(model, texts, maxTokens);
                loss = lm;
                kind =
                        "placeholder language-model loss of the support text ("
                                + lm.sentences()
                                + " sentences; the NER loss needs a decoder)";
                supportSentences = lm.sentences();
            }
            LoraHub.Result r =
                    LoraHub.search(
                            registry,
                            sources,
                            loss,
                            new LoraHub.Settings(budget, 0.05, 1.5, 0.5, seed, rule));
            ObjectNode extra = r.adapter().config().extra().deepCopy();
            ObjectNode hub = (ObjectNode) extra.get("fewner_lorahub");
            ArrayNode src = hub.putArray("sources");
            adapters.forEach(p -> src.add(p.toString()));
            hub.put("task_loss_kind", kind);
            hub.put("loss", lossName);
            LoraAdapter composed =
                    new LoraAdapter(
                            r.adapter().config().withExtra(extra),
                            r.adapter().modules(),
                            r.adapter().heads());
            output.write(composed::write);
            ObjectNode o = AdapterJson.JSON.createObjectNode();
            o.put("out", out.toString());
            ArrayNode w = o.putArray("weights");
            for (double x : r.weights()) {
                w.add(x);
            }
            o.put("start_loss", r.startLoss());
            o.put("task_loss", r.bestLoss());
            o.put("objective", r.objective());
            o.put("evaluations", r.evaluations());
            o.put("support_sentences", supportSentences);
            o.put("task_loss_kind", kind);
            o.put("loss", lossName);
            // the support's types with their counts are reported beside the loss
            o.set("support_types", AdapterJson.JSON.valueToTree(supportSet.types()));
            System.out.println(o.toString());
        }
    }
}
