package org.fewner.cli.sft;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.fewner.cli.options.ModelOption;
import org.fewner.common.Json;
import org.fewner.evaluation.Corpus;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
import org.fewner.ner.WordSentence;
import org.fewner.ner.generative.GenerativeMethod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code fewner sft fit}: how well a generative adapter reproduces its own training sentences
 * (exact-span micro precision, recall and F1 of constrained generation on them). A check that
 * training worked, never an evaluation: {@code fewner eval} refuses an adapter trained on its test
 * file, and rightly so.
 */
@Command(
        name = "fit",
        mixinStandardHelpOptions = true,
        description = {
            "Training-set fit of a generative adapter: constrained generation on the given (training) sentences,",
            "exact-span micro P/R/F1 against their labels. Not an evaluation (use fewner eval on held-out data)."
        })
public final class SftFitCommand implements Runnable {
    @Mixin ModelOption model;

    @Option(
            names = "--adapter",
            paramLabel = "DIR",
            description = "Adapter (without: the base model answers).")
    java.nio.file.Path adapter;

    @Option(
            names = "--beams",
            defaultValue = "1",
            paramLabel = "N",
            description = "Beams (1: greedy). Default: ${DEFAULT-VALUE}.")
    int beams;

    @Option(
            names = "--max-sentences",
            defaultValue = "0",
            paramLabel = "N",
            description = "Only the first N sentences (0: all).")
    int maxSentences;

    @Option(
            names = "--source",
            required = true,
            paramLabel = "FORMAT:FILE",
            description = "The sentences (conll2003 or conll).")
    String source;

    @Override
    public void run() {
        Corpus full = Corpus.read(source);
        Corpus c =
                maxSentences > 0 && maxSentences < full.sentences().size()
                        ? new Corpus(
                                full.file(),
                                full.scheme(),
                                full.sentences().subList(0, maxSentences))
                        : full;
        long t0 = System.nanoTime();
        int tp = 0;
        int np = 0;
        int ng = 0;
        try (FewShotMethod m =
                new GenerativeMethod(
                        (DecoderModel) model.load(),
                        adapter == null ? null : LoraAdapter.read(adapter),
                        true,
                        beams,
                        64)) {
            FewShotMethod.Recognizer r =
                    m.adapt(new SupportSet(c.types(), List.<LabeledSentence>of()), 0);
            try (ProgressBar pb = new ProgressBar("sft fit", c.sentences().size())) {
                for (LabeledSentence s : c.sentences()) {
                    WordSentence w = s.sentence();
                    List<ScoredMention> p = r.recognize(List.of(w)).get(0);
                    List<Mention> gold = new ArrayList<>(s.mentions());
                    ng += gold.size();
                    np += p.size();
                    for (ScoredMention x : p) {
                        tp += gold.remove(x.mention()) ? 1 : 0;
                    }
                    pb.step();
                }
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        double prec = np == 0 ? 0 : (double) tp / np;
        double rec = ng == 0 ? 0 : (double) tp / ng;
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("sentences", c.sentences().size());
        o.put("beams", beams);
        o.put("types", c.types().size());
        o.put("gold", ng);
        o.put("predicted", np);
        o.put("correct", tp);
        o.put("precision", prec);
        o.put("recall", rec);
        o.put("f1", prec + rec == 0 ? 0 : 2 * prec * rec / (prec + rec));
        o.put("seconds", s);
        o.put("sentences_per_s", c.sentences().size() / s);
        System.out.println(Json.line(o));
    }
}
