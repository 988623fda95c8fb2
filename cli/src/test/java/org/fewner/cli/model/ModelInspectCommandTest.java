package org.fewner.cli.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.fewner.cli.FewNer;
import org.fewner.common.Json;
import org.fewner.llm.config.ModelConfigs;
import org.fewner.llm.tensors.DType;
import org.fewner.llm.tensors.HostTensor;
import org.fewner.llm.tensors.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fewner model inspect} on a tiny random BERT: exactly the tensors compare.py expects, and
 * clear errors.
 */
class ModelInspectCommandTest {
    private static final int V = 30;
    private static final int H = 8;
    private static final int I = 16;
    private static final int L = 2;

    @TempDir Path tmp;

    private Path tinyBert(boolean withHead) {
        Random r = new Random(3);
        Map<String, HostTensor> w = new LinkedHashMap<>();
        String p = withHead ? "bert." : "";
        put(w, r, p + "embeddings.word_embeddings.weight", V, H);
        put(w, r, p + "embeddings.position_embeddings.weight", 16, H);
        put(w, r, p + "embeddings.token_type_embeddings.weight", 2, H);
        put(w, r, p + "embeddings.LayerNorm.weight", H);
        put(w, r, p + "embeddings.LayerNorm.bias", H);
        for (int i = 0; i < L; i++) {
            String l = p + "encoder.layer." + i + ".";
            for (String n :
                    new String[] {
                        "attention.self.query",
                        "attention.self.key",
                        "attention.self.value",
                        "attention.output.dense"
                    }) {
                put(w, r, l + n + ".weight", H, H);
                put(w, r, l + n + ".bias", H);
            }
            put(w, r, l + "intermediate.dense.weight", I, H);
            put(w, r, l + "intermediate.dense.bias", I);
            put(w, r, l + "output.dense.weight", H, I);
            put(w, r, l + "output.dense.bias", H);
            for (String n : new String[] {"attention.output.LayerNorm", "output.LayerNorm"}) {
                put(w, r, l + n + ".weight", H);
                put(w, r, l + n + ".bias", H);
            }
        }
        if (withHead) {
            put(w, r, "cls.predictions.transform.dense.weight", H, H);
            put(w, r, "cls.predictions.transform.dense.bias", H);
            put(w, r, "cls.predictions.transform.LayerNorm.weight", H);
            put(w, r, "cls.predictions.transform.LayerNorm.bias", H);
            put(w, r, "cls.predictions.bias", V);
        }
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "bert")
                .put("vocab_size", V)
                .put("hidden_size", H)
                .put("num_hidden_layers", L)
                .put("num_attention_heads", 2)
                .put("intermediate_size", I)
                .put("max_position_embeddings", 16);
        Path dir = tmp.resolve(withHead ? "mlm" : "base");
        ModelConfigs.write(dir.resolve("config.json"), c);
        SafeTensors.write(dir.resolve("model.safetensors"), w, Map.of());
        return dir;
    }

    private static void put(Map<String, HostTensor> w, Random r, String name, long... shape) {
        float[] v = new float[(int) HostTensor.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.3 * r.nextGaussian());
        }
        w.put(name, HostTensor.ofFloats(shape, v));
    }

    private record Run(int exit, String err) {}

    private static Run run(String... args) {
        CommandLine cl = FewNer.newCommandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, err.toString());
    }

    @Test
    void writesIdsHiddenStatesAndLogits() {
        Path out = tmp.resolve("inspect.safetensors");
        Run r =
                run(
                        "model",
                        "inspect",
                        "--model",
                        tinyBert(true).toString(),
                        "--ids",
                        "1,5,7,2",
                        "--out",
                        out.toString());
        assertEquals(0, r.exit, r.err);
        Map<String, HostTensor> t = SafeTensors.readAll(out);
        assertEquals(Set.of("input_ids", "hidden.0", "hidden.1", "hidden.2", "logits"), t.keySet());
        assertEquals(DType.I64, t.get("input_ids").dtype());
        assertArrayEquals(new long[] {1, 5, 7, 2}, t.get("input_ids").toLongs());
        for (int i = 0; i <= L; i++) {
            assertEquals(DType.F32, t.get("hidden." + i).dtype());
            assertArrayEquals(new long[] {4, H}, t.get("hidden." + i).shape());
        }
        assertArrayEquals(new long[] {4, V}, t.get("logits").shape());
        assertTrue(Float.isFinite(t.get("logits").toFloats()[0]));
    }

    @Test
    void noLogitsWithoutAHead() {
        Path out = tmp.resolve("base.safetensors");
        Run r =
                run(
                        "model",
                        "inspect",
                        "--model",
                        tinyBert(false).toString(),
                        "--ids",
                        "1,5,2",
                        "--out",
                        out.toString());
        assertEquals(0, r.exit, r.err);
        assertEquals(
                Set.of("input_ids", "hidden.0", "hidden.1", "hidden.2"),
                SafeTensors.readAll(out).keySet());
    }

    @Test
    void userErrorsAreOneClearLine() {
        Path model = tinyBert(true);
        Run both =
                run(
                        "model",
                        "inspect",
                        "--model",
                        model.toString(),
                        "--ids",
                        "1",
                        "--text",
                        "x",
                        "--out",
                        tmp.resolve("a").toString());
        assertEquals(2, both.exit);
        assertTrue(both.err.contains("exactly one of --text"), both.err);
        Run missing =
                run(
                        "model",
                        "inspect",
                        "--model",
                        tmp.resolve("nope").toString(),
                        "--ids",
                        "1",
                        "--out",
                        tmp.resolve("b").toString());
        assertEquals(2, missing.exit);
        assertTrue(missing.err.contains("not a directory"), missing.err);
        Run vocab =
                run(
                        "model",
                        "inspect",
                        "--model",
                        model.toString(),
                        "--ids",
                        "1," + V,
                        "--out",
                        tmp.resolve("c").toString());
        assertEquals(2, vocab.exit);
        assertTrue(vocab.err.contains("outside the vocabulary"), vocab.err);
        Run noTokenizer =
                run(
                        "model",
                        "inspect",
                        "--model",
                        model.toString(),
                        "--text",
                        "hello",
                        "--out",
                        tmp.resolve("d").toString());
        assertTrue(noTokenizer.exit != 0 && noTokenizer.err.contains("tokenizer"), noTokenizer.err);
        assertTrue(Arrays.stream(noTokenizer.err.split("\n")).count() <= 2, noTokenizer.err);
    }
}
