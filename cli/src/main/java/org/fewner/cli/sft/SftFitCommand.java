package org.fewner.cli.sft;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.fewner.cli.options.ModelOption;
import org.fewner.cli.options.Range;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.evaluation.Corpus;
import org.fewner.llm.decoder.DecoderModel;
import org.fewner.llm.lora.LoraAdapter;
import org.fewner.ner.FewShotMethod;
import org.fewner.ner.LabeledSentence;
import org.fewner.ner.Mention;
import org.fewner.ner.ScoredMention;
import org.fewner.ner.SupportSet;
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
    @Range(min = 1)
    int beams;

    @Option(
            names = "--max-sentences",
            defaultValue = "0",
            paramLabel = "N",
            description = "Only the first N sentences (0: all).")
    @Range(min = 0, note = "0 = all")
    int maxSentences;

    @Option(
            names = "--batch",
            defaultValue = "16",
            split = ",",
            paramLabel = "N",
            description =
                    "(sentence, type) pairs per batched constrained search (1: one search per pair); several"
                            + " values compare them in one run. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    List<Integer> batches;

    @Option(
            names = "--share-prefix",
            defaultValue = "true",
            split = ",",
            arity = "1",
            paramLabel = "BOOL",
            description =
                    "Run the prompts' common prefix once per batch; several values compare them. Default:"
                            + " ${DEFAULT-VALUE}.")
    List<Boolean> sharePrefixes;

    @Option(
            names = "--repeats",
            defaultValue = "1",
            paramLabel = "N",
            description =
                    "Timed runs of every setting, interleaved (run 1 of each, then run 2 ...); the best time is"
                            + " reported. Default: ${DEFAULT-VALUE}.")
    @Range(min = 1)
    int repeats;

    @Option(
            names = "--source",
            required = true,
            paramLabel = "FORMAT:FILE",
            description = "The sentences (conll2003 or conll).")
    String source;

    /** Predictions and time of one pass over the sentences. */
    private record Pass(List<List<ScoredMention>> predictions, double seconds) {}

    private static Pass recognize(
            DecoderModel decoder,
            LoraAdapter a,
            Corpus c,
            int beams,
            int batch,
            boolean sharePrefix) {
        try (FewShotMethod m =
                new GenerativeMethod(decoder, a, false, beams, 64, batch, sharePrefix)) {
            FewShotMethod.Recognizer r =
                    m.adapt(new SupportSet(c.types(), List.<LabeledSentence>of()), 0);
            long t1 = System.nanoTime();
            // sentences go to the recogniser in groups whose (sentence, type) pairs fill a batch
            int group = Math.max(1, batch / Math.max(1, c.types().size()));
            List<LabeledSentence> all = c.sentences();
            List<List<ScoredMention>> out = new ArrayList<>();
            try (ProgressBar pb = new ProgressBar("sft fit (batch " + batch + ")", all.size())) {
                for (int from = 0; from < all.size(); from += group) {
                    List<LabeledSentence> part =
                            all.subList(from, Math.min(all.size(), from + group));
                    out.addAll(r.recognize(part.stream().map(LabeledSentence::sentence).toList()));
                    pb.stepBy(part.size());
                }
            }
            return new Pass(out, (System.nanoTime() - t1) / 1e9);
        }
    }

    @Override
    public void run() {
        if (batches.stream().anyMatch(b -> b < 1)) {
            throw new FewNerException("--batch: expected values of at least 1, got " + batches);
        }
        if (repeats < 1) {
            throw new FewNerException("--repeats: expected at least 1, got " + repeats);
        }
        Corpus full = Corpus.read(source);
        Corpus c =
                maxSentences > 0 && maxSentences < full.sentences().size()
                        ? new Corpus(
                                full.file(),
                                full.scheme(),
                                full.sentences().subList(0, maxSentences))
                        : full;
        List<int[]> settings = new ArrayList<>();
        for (int b : batches) {
            for (boolean sp : sharePrefixes) {
                settings.add(new int[] {b, sp ? 1 : 0});
            }
        }
        long t0 = System.nanoTime();
        double[][] times = new double[settings.size()][repeats];
        List<List<List<ScoredMention>>> preds = new ArrayList<>();
        try (DecoderModel decoder = (DecoderModel) model.load()) {
            LoraAdapter a = adapter == null ? null : LoraAdapter.read(adapter);
            for (int rep = 0; rep < repeats; rep++) {
                for (int k = 0; k < settings.size(); k++) {
                    Pass p =
                            recognize(
                                    decoder,
                                    a,
                                    c,
                                    beams,
                                    settings.get(k)[0],
                                    settings.get(k)[1] == 1);
                    times[k][rep] = p.seconds();
                    if (rep == 0) {
                        preds.add(p.predictions());
                    }
                }
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        for (int k = 0; k < settings.size(); k++) {
            int tp = 0;
            int np = 0;
            int ng = 0;
            List<List<ScoredMention>> ps = preds.get(k);
            for (int i = 0; i < c.sentences().size(); i++) {
                List<Mention> gold = new ArrayList<>(c.sentences().get(i).mentions());
                ng += gold.size();
                np += ps.get(i).size();
                for (ScoredMention x : ps.get(i)) {
                    tp += gold.remove(x.mention()) ? 1 : 0;
                }
            }
            double best = java.util.Arrays.stream(times[k]).min().orElseThrow();
            double prec = np == 0 ? 0 : (double) tp / np;
            double rec = ng == 0 ? 0 : (double) tp / ng;
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("sentences", c.sentences().size());
            o.put("beams", beams);
            o.put("batch", settings.get(k)[0]);
            o.put("share_prefix", settings.get(k)[1] == 1);
            o.put("types", c.types().size());
            o.put("gold", ng);
            o.put("predicted", np);
            o.put("correct", tp);
            o.put("precision", prec);
            o.put("recall", rec);
            o.put("f1", prec + rec == 0 ? 0 : 2 * prec * rec / (prec + rec));
            // the same mentions as the first setting (batched and unbatched search must agree)
            o.put("same_mentions_as_first", mentions(ps).equals(mentions(preds.get(0))));
            o.put("seconds_total", total);
            // throughput of recognition alone (model loading excluded), best of the repeats
            o.set("recognize_seconds", Json.MAPPER.valueToTree(times[k]));
            o.put("sentences_per_s", c.sentences().size() / best);
            System.out.println(Json.line(o));
        }
    }

    private static List<List<Mention>> mentions(List<List<ScoredMention>> ps) {
        return ps.stream().map(l -> l.stream().map(ScoredMention::mention).toList()).toList();
    }
}
