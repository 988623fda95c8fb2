package org.fewner.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.fewner.cli.options.ModelOption;
import org.fewner.common.Json;
import org.fewner.llm.bert.MaskFill;
import org.fewner.llm.model.Backbone;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Runs the masked-LM sanity check: the top-3 tokens for three masked sentences. With correct
 * weights and forward the cased default model answers capital, Berlin, store.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the masked-LM sanity check on a BERT model: prints JSON with the top-3 tokens (and their "
                    + "logits) for three masked sentences.",
            "A correct cased BERT-base answers capital, Berlin, store."
        })
public final class ModelCheckCommand implements Runnable {
    @Mixin ModelOption modelOption;

    @Override
    public void run() {
        ObjectMapper json = Json.MAPPER;
        try (Backbone model = modelOption.load()) {
            List<MaskFill.Prediction> predictions =
                    MaskFill.predict(model, MaskFill.CHECK_TEXTS, 3);
            ObjectNode root = json.createObjectNode();
            root.put("model", modelOption.spec());
            ArrayNode arr = root.putArray("predictions");
            for (MaskFill.Prediction p : predictions) {
                ObjectNode n = arr.addObject();
                n.put("text", p.text());
                ArrayNode top = n.putArray("top");
                ArrayNode logits = n.putArray("top_logits");
                for (MaskFill.Candidate c : p.top()) {
                    top.add(c.token());
                    logits.add(Math.round(c.logit() * 1000.0) / 1000.0);
                }
            }
            System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
