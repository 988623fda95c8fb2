package org.fewner.cli.sft;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.fewner.cli.options.Range;
import org.fewner.common.AtomicFiles;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.generation.PromptTemplate;
import org.fewner.training.data.TrainingExample;
import org.fewner.training.generative.GenerativeTraining;
import org.fewner.training.generative.InstructionExample;
import org.fewner.training.generative.InstructionExamples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fewner sft export}: the instruction examples the generative trainer uses, as JSON lines
 * (one per sentence and type: prompt, answer, id, type, text, spans, entities).
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Writes one CLLMFS instruction example per (sentence, entity type) as JSON lines:",
            "prompt (ends with the answer prefix), answer (' <<< A >>> <<< B >>>' or ' none'), id, type, text,",
            "spans ([start, end) word ranges) and entities. TRL's SFTTrainer reads prompt/completion pairs of this form."
        })
public final class SftExportCommand implements Runnable {
    @Option(
            names = "--source",
            required = true,
            split = ",",
            paramLabel = "FORMAT:FILE[@N]",
            description =
                    "Source corpora (bio|two-column|conll|conll2003), optionally a seeded sample of N sentences.")
    List<String> sources;

    @Option(
            names = "--definitions",
            paramLabel = "FILE",
            description = "Label descriptions, one TYPE<TAB>definition per line.")
    Path definitions;

    @Option(
            names = "--types",
            split = ",",
            paramLabel = "T1,T2",
            description = "Entity types to ask for (default: every type in the sources).")
    List<String> types;

    @Option(names = "--seed", defaultValue = "42", description = "Sampling seed for @N.")
    @Range
    long seed;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE.jsonl",
            description = "Output file.")
    Path out;

    @Override
    public void run() {
        Path work;
        try {
            work = Files.createTempDirectory("fewner-sft");
        } catch (IOException e) {
            throw new FewNerException("cannot create a temporary folder: " + e.getMessage(), e);
        }
        try {
            ObjectNode record = Json.MAPPER.createObjectNode();
            List<TrainingExample> sentences =
                    GenerativeTraining.readSources(sources, List.of(), work, seed, record);
            Map<String, String> defs =
                    definitions == null
                            ? Map.of()
                            : InstructionExamples.readDefinitions(definitions);
            List<String> ts = types != null ? types : InstructionExamples.types(sentences);
            List<InstructionExample> ex =
                    InstructionExamples.build(sentences, ts, defs, PromptTemplate.DEFAULT);
            InstructionExamples.write(out, ex);
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("out", out.toString());
            o.put("sentences", sentences.size());
            o.put("examples", ex.size());
            o.set("types", Json.MAPPER.valueToTree(ts));
            o.put("none_answer", PromptTemplate.DEFAULT.none());
            System.out.println(Json.line(o));
        } finally {
            try {
                AtomicFiles.deleteRecursively(work);
            } catch (IOException ignored) {
                // a temporary folder left behind is harmless
            }
        }
    }
}
