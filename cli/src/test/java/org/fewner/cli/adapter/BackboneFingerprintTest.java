package org.fewner.cli.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.fewner.cli.CliRun;
import org.fewner.common.FewNerException;
import org.fewner.common.Json;
import org.fewner.llm.hub.DefaultModels;
import org.fewner.llm.model.BackboneFingerprint;
import org.fewner.uimaannotator.TinyModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 27: adapters record the backbone they were made on; another backbone is refused. */
class BackboneFingerprintTest {
    @TempDir Path tmp;

    private Path copyWithVocabulary(Path model, Path to, String from, String into)
            throws Exception {
        Files.createDirectories(to);
        try (var s = Files.list(model)) {
            for (Path f : s.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        List<String> vocab = new ArrayList<>(Files.readAllLines(to.resolve("vocab.txt")));
        vocab.set(vocab.indexOf(from), into);
        Files.write(to.resolve("vocab.txt"), vocab);
        return to;
    }

    @Test
    void adapterInitRecordsTheBackboneAndAnotherVocabularyIsRefused() throws Exception {
        Path a = TinyModels.bert(tmp.resolve("model-a"), 16, 32, 1);
        Path b = copyWithVocabulary(a, tmp.resolve("model-b"), "paris", "rome");
        Path ad = tmp.resolve("ad");
        CliRun init =
                CliRun.run(
                        "adapter",
                        "init",
                        "--model",
                        a.toString(),
                        "--rank",
                        "2",
                        "--alpha",
                        "4",
                        "--targets",
                        "query,value",
                        "--seed",
                        "1",
                        "--init",
                        "random",
                        "--out",
                        ad.toString());
        assertEquals(0, init.code(), init.err());
        JsonNode fb = Json.readTree(ad.resolve("adapter_config.json")).get("fewner_base");
        assertEquals("model-a", fb.get("name").asText());
        assertEquals(BackboneFingerprint.vocabularyHash(a), fb.get("vocab_sha256").asText());
        assertEquals(
                fb.get("vocab_size").asInt(), Files.readAllLines(a.resolve("vocab.txt")).size());

        Path out = tmp.resolve("inspect.safetensors");
        CliRun ok =
                CliRun.run(
                        "model",
                        "inspect",
                        "--model",
                        a.toString(),
                        "--adapter",
                        ad.toString(),
                        "--text",
                        "paris",
                        "--out",
                        out.toString());
        assertEquals(0, ok.code(), ok.err());
        CliRun.run(
                        "model",
                        "inspect",
                        "--model",
                        b.toString(),
                        "--adapter",
                        ad.toString(),
                        "--text",
                        "paris",
                        "--out",
                        tmp.resolve("x.safetensors").toString())
                .assertUserError(
                        "adapter trained on another backbone (vocabulary differ)",
                        "model-a (bert",
                        "model-b (bert");
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () -> BackboneFingerprint.requireCompatible(ad, b, "model-b"));
        assertTrue(
                e.getMessage().startsWith(ad + ": adapter trained on another backbone"),
                e.getMessage());
        BackboneFingerprint.requireCompatible(ad, a, "model-a");

        // --adapter given a file
        CliRun.run(
                        "model",
                        "inspect",
                        "--model",
                        a.toString(),
                        "--adapter",
                        ad.resolve("adapter_config.json").toString(),
                        "--text",
                        "paris",
                        "--out",
                        tmp.resolve("y.safetensors").toString())
                .assertUserError("is a file; expected an adapter directory");
    }

    @Test
    void theVocabularyHashIsTheSameFromVocabTxtAndTokenizerJson() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("m"));
        Files.write(d.resolve("vocab.txt"), List.of("[PAD]", "a", "##b"));
        String h = BackboneFingerprint.vocabularyHash(d);
        Path j = Files.createDirectories(tmp.resolve("j"));
        Files.writeString(
                j.resolve("tokenizer.json"),
                "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"##b\": 2, \"[PAD]\": 0, \"a\": 1}}}");
        assertEquals(h, BackboneFingerprint.vocabularyHash(j));
        assertNull(BackboneFingerprint.vocabularyHash(tmp));
        BackboneFingerprint x = new BackboneFingerprint("x", "bert", 3, 8, 2, h);
        assertNull(
                x.mismatch(new BackboneFingerprint(null, null, 0, 0, 0, null)),
                "unknown fields skip");
        assertEquals(
                "vocabulary size", x.mismatch(new BackboneFingerprint("y", "bert", 4, 8, 2, null)));
    }

    /** The shipped adapters record the cached default models they were trained on. */
    @Test
    void shippedAdaptersMatchTheirModelsAndNotTheOther() {
        Assumptions.assumeTrue(
                DefaultModels.isCached("default") && DefaultModels.isCached("default-uncased"),
                "default models not in the cache");
        Path res = Path.of("../ner/src/main/resources/org/fewner/ner/span/adapters");
        Path cased = DefaultModels.cacheRoot().resolve("default");
        Path uncased = DefaultModels.cacheRoot().resolve("default-uncased");
        BackboneFingerprint.requireCompatible(res.resolve("default"), cased, "default");
        BackboneFingerprint.requireCompatible(
                res.resolve("default-uncased"), uncased, "default-uncased");
        BackboneFingerprint.requireCompatible(
                Path.of("../results/adapters/default-uncased-heldout"), uncased, "default-uncased");
        FewNerException e =
                assertThrows(
                        FewNerException.class,
                        () ->
                                BackboneFingerprint.requireCompatible(
                                        res.resolve("default"), uncased, "default-uncased"));
        assertTrue(e.getMessage().contains("vocabulary 28,996"), e.getMessage());
        assertTrue(e.getMessage().contains("vocabulary 30,522"), e.getMessage());
        assertNotNull(
                BackboneFingerprint.ofAdapter(res.resolve("default")).orElseThrow().vocabSha256());
    }
}
