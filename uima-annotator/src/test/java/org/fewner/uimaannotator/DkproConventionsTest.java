package org.fewner.uimaannotator;

import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngine;
import static org.apache.uima.fit.factory.AnalysisEngineFactory.createEngineDescription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.tudarmstadt.ukp.dkpro.core.api.metadata.type.TagsetDescription;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.Location;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.Organization;
import de.tudarmstadt.ukp.dkpro.core.api.ner.type.Person;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.uima.analysis_engine.AnalysisEngine;
import org.apache.uima.analysis_engine.AnalysisEngineDescription;
import org.apache.uima.fit.util.JCasUtil;
import org.apache.uima.jcas.JCas;
import org.apache.uima.resource.ResourceInitializationException;
import org.apache.uima.resource.metadata.ConfigurationParameter;
import org.fewner.type.ScoredLocation;
import org.fewner.type.ScoredNamedEntity;
import org.fewner.type.ScoredOrganization;
import org.fewner.type.ScoredPerson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine in DKPro Core's conventions (issue 31): span as the default method (and its error on a
 * model without a span adapter), the tagset (TagsetDescription and printTagSet), the shipped
 * mapping to DKPro's subtypes with the confidence kept, a model and an adapter packaged as jars on
 * the class path, and the device parameter. A tiny random BERT and the test gazetteer method.
 */
class DkproConventionsTest {
    @TempDir static Path tmp;
    static Path model;
    static Path support;
    static String cacheBefore;

    static final String SUPPORT =
            "Marie\tB-PER\nCurie\tI-PER\nvisited\tO\nParis\tB-LOC\n.\tO\n\n"
                    + "John\tB-PER\nSmith\tI-PER\nmet\tO\nthe\tO\nUN\tB-ORG\nand\tO\nAcme\tB-MISC\n.\tO\n";

    @BeforeAll
    static void setUp() throws Exception {
        model = TinyModels.bert(tmp.resolve("tiny"), 16, 32, 11);
        support = tmp.resolve("support.conll");
        Files.writeString(support, SUPPORT);
        // unpacked class-path models go below the model cache: keep them out of ~/.cache
        cacheBefore = System.getProperty("fewner.cache");
        System.setProperty("fewner.cache", tmp.resolve("cache").toString());
    }

    @AfterAll
    static void restore() {
        if (cacheBefore == null) System.clearProperty("fewner.cache");
        else System.setProperty("fewner.cache", cacheBefore);
    }

    static List<Object> base(Object... extra) {
        List<Object> p =
                new ArrayList<>(
                        List.of(
                                FewNerAnnotator.PARAM_MODEL_LOCATION,
                                model.toString(),
                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                support.toString(),
                                FewNerAnnotator.PARAM_SUPPORT_FORMAT,
                                "conll"));
        p.addAll(Arrays.asList(extra));
        return p;
    }

    static AnalysisEngine gazetteer(Object... extra) throws ResourceInitializationException {
        List<Object> p = base(FewNerAnnotator.PARAM_METHOD, GazetteerMethodProvider.NAME);
        p.addAll(Arrays.asList(extra));
        return createEngine(FewNerAnnotator.class, p.toArray());
    }

    @Test
    void spanIsTheDefaultMethodAndAModelWithoutSpanAdapterSaysWhatToDo() throws Exception {
        AnalysisEngineDescription d =
                createEngineDescription(FewNerAnnotator.class, base().toArray());
        Object method =
                d.getAnalysisEngineMetaData()
                        .getConfigurationParameterSettings()
                        .getParameterValue(FewNerAnnotator.PARAM_METHOD);
        assertEquals("span", method);
        assertEquals("span", FewNerAnnotator.DEFAULT_METHOD);
        ResourceInitializationException e =
                assertThrows(
                        ResourceInitializationException.class,
                        () -> createEngine(FewNerAnnotator.class, base().toArray()));
        String m = FewNerAnnotatorTest.messages(e);
        assertTrue(m.contains("method span (the default): no span adapter for model " + model), m);
        assertTrue(m.contains("method=frozen-prototype (--method frozen-prototype"), m);
        assertTrue(m.contains("./fewner train --method span"), m);
    }

    @Test
    void tagsetIsRecordedAndPrinted() throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log." + FewNerAnnotator.TAGSET_LOGGER, "info");
        AnalysisEngine ae = gazetteer(FewNerAnnotator.PARAM_PRINT_TAGSET, true);
        JCas jcas = Docs.jcas("Marie Curie visited Paris .", "x");
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
            ae.process(jcas);
            JCas second = Docs.jcas("John Smith met the UN .", "x");
            ae.process(second);
        } finally {
            System.setErr(err);
        }
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains(FewNerAnnotator.TAGSET_LOGGER), out);
        assertTrue(out.contains("fewner-support.conll"), out);
        assertTrue(out.contains(NamedEntity.class.getName()), out);
        for (String label : List.of("LOC", "MISC", "ORG", "PER")) {
            assertTrue(out.contains(label), label + " in " + out);
        }
        assertEquals(
                1,
                out.split(FewNerAnnotator.TAGSET_LOGGER, -1).length - 1,
                "printed once per engine: " + out);

        List<TagsetDescription> tagsets =
                List.copyOf(JCasUtil.select(jcas, TagsetDescription.class));
        assertEquals(1, tagsets.size());
        TagsetDescription t = tagsets.get(0);
        assertEquals(NamedEntity.class.getName(), t.getLayer());
        assertEquals("fewner-support.conll", t.getName());
        assertEquals(FewNerAnnotator.class.getName(), t.getComponentName());
        assertEquals(GazetteerMethodProvider.NAME, t.getModelVariant());
        assertEquals(model.toString(), t.getModelLocation());
        List<String> tags = new ArrayList<>();
        t.getTags().forEach(d -> tags.add(d.getName()));
        assertEquals(List.of("LOC", "MISC", "ORG", "PER"), tags);
        ae.process(jcas); // a second run on the same CAS adds no second description
        assertEquals(1, JCasUtil.select(jcas, TagsetDescription.class).size());
        ae.destroy();
    }

    @Test
    void shippedMappingGivesDkproSubtypesWithConfidence() throws Exception {
        AnalysisEngine ae =
                gazetteer(
                        FewNerAnnotator.PARAM_NAMED_ENTITY_MAPPING_LOCATION,
                        NamedEntityMappings.DKPRO);
        JCas jcas = Docs.jcas("John Smith visited Paris and the UN with Acme .", "x");
        ae.process(jcas);
        Person per = JCasUtil.selectSingle(jcas, Person.class);
        assertInstanceOf(ScoredPerson.class, per);
        assertEquals("John Smith", per.getCoveredText());
        assertEquals("PER", per.getValue());
        assertEquals(0.9, ((ScoredPerson) per).getConfidence(), 1e-6);
        assertEquals(FewNerAnnotator.NO_ADAPTER, ((ScoredPerson) per).getAdapterId());
        Location loc = JCasUtil.selectSingle(jcas, Location.class);
        assertInstanceOf(ScoredLocation.class, loc);
        assertEquals(0.4, ((ScoredLocation) loc).getConfidence(), 1e-6);
        Organization org = JCasUtil.selectSingle(jcas, Organization.class);
        assertInstanceOf(ScoredOrganization.class, org);
        assertEquals("UN", org.getCoveredText());
        // MISC has no DKPro subtype: a plain scored NamedEntity
        List<NamedEntity> misc =
                JCasUtil.select(jcas, NamedEntity.class).stream()
                        .filter(n -> n.getValue().equals("MISC"))
                        .toList();
        assertEquals(1, misc.size());
        assertEquals(ScoredNamedEntity.class, misc.get(0).getClass());
        assertEquals(0.4, ((ScoredNamedEntity) misc.get(0)).getConfidence(), 1e-6);
        ae.destroy();
    }

    @Test
    void aMappingToAMissingTypeOrFeatureIsAClearError() throws Exception {
        Path map = tmp.resolve("bad.map");
        Files.writeString(map, "PER=org.example.Nope\n*=" + NamedEntity.class.getName() + "\n");
        AnalysisEngine ae =
                gazetteer(FewNerAnnotator.PARAM_NAMED_ENTITY_MAPPING_LOCATION, map.toString());
        Exception e =
                assertThrows(Exception.class, () -> ae.process(Docs.jcas("John Smith met .", "x")));
        String m = FewNerAnnotatorTest.messages(e);
        assertTrue(m.contains("label 'PER'") && m.contains("org.example.Nope"), m);
        ae.destroy();
    }

    /** Writes a jar of {@code dir}'s files below {@code folder}, plus Maven's pom.properties. */
    static Path jar(Path out, Path dir, String folder, String group, String artifact)
            throws IOException {
        try (OutputStream os = Files.newOutputStream(out);
                JarOutputStream jar = new JarOutputStream(os)) {
            if (group != null) {
                jar.putNextEntry(
                        new JarEntry(
                                "META-INF/maven/" + group + "/" + artifact + "/pom.properties"));
                jar.write(
                        ("groupId=" + group + "\nartifactId=" + artifact + "\nversion=1.0\n")
                                .getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) {
                    jar.putNextEntry(new JarEntry(folder + "/" + f.getFileName()));
                    jar.write(Files.readAllBytes(f));
                    jar.closeEntry();
                }
            }
        }
        return out;
    }

    @Test
    void modelAndAdapterFromJarsOnTheClassPath() throws Exception {
        Path other = TinyModels.bert(tmp.resolve("packaged"), 16, 32, 12);
        Path modelJar =
                jar(
                        tmp.resolve("tiny-model.jar"),
                        other,
                        "models/tiny",
                        "org.example",
                        "tiny-model");
        Path adapter = TinyModels.adapter(other, tmp.resolve("news-adapter"), 3);
        Path adapterJar =
                jar(
                        tmp.resolve("news-adapter.jar"),
                        adapter,
                        "org/example/adapters/news",
                        null,
                        null);
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader cl =
                new URLClassLoader(
                        new URL[] {modelJar.toUri().toURL(), adapterJar.toUri().toURL()}, before)) {
            Thread.currentThread().setContextClassLoader(cl);
            AnalysisEngine ae =
                    gazetteer(
                            FewNerAnnotator.PARAM_MODEL_ARTIFACT_URI,
                            "mvn:org.example:tiny-model:1.0",
                            FewNerAnnotator.PARAM_ADAPTERS,
                            new String[] {"news=classpath:/org/example/adapters/news"},
                            FewNerAnnotator.PARAM_ADAPTER,
                            "news");
            JCas jcas = Docs.jcas("Marie Curie visited Paris .", "x");
            ae.process(jcas);
            assertEquals(
                    List.of("0 11 PER Marie Curie 0.9 news", "20 25 LOC Paris 0.4 news"),
                    Docs.spans(jcas));
            TagsetDescription t = JCasUtil.selectSingle(jcas, TagsetDescription.class);
            assertEquals("mvn:org.example:tiny-model:1.0", t.getModelLocation());
            ae.destroy();

            // the same model as a class-path folder, through the shared resource
            AnalysisEngine viaResource =
                    createEngine(
                            FewNerAnnotator.class,
                            FewNerAnnotator.RES_MODEL,
                            FewNerModelResource.description("classpath:models/tiny"),
                            FewNerAnnotator.PARAM_METHOD,
                            GazetteerMethodProvider.NAME,
                            FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                            support.toString());
            viaResource.destroy();

            String missing =
                    FewNerAnnotatorTest.messages(
                            assertThrows(
                                    ResourceInitializationException.class,
                                    () ->
                                            gazetteer(
                                                    FewNerAnnotator.PARAM_MODEL_ARTIFACT_URI,
                                                    "mvn:org.example:absent-model:2.0")));
            assertTrue(
                    missing.contains(
                            "mvn:org.example:absent-model:2.0: not on the class path; add the"
                                    + " dependency <groupId>org.example</groupId>"),
                    missing);
            String version =
                    FewNerAnnotatorTest.messages(
                            assertThrows(
                                    ResourceInitializationException.class,
                                    () ->
                                            gazetteer(
                                                    FewNerAnnotator.PARAM_MODEL_ARTIFACT_URI,
                                                    "mvn:org.example:tiny-model:9.9")));
            assertTrue(version.contains("found version [1.0] instead"), version);
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    @Test
    void deviceParameterIsCheckedAndCpuIsTheDefault() throws Exception {
        AnalysisEngine cpu = gazetteer(FewNerAnnotator.PARAM_DEVICE, "cpu");
        JCas jcas = Docs.jcas("Marie Curie visited Paris .", "x");
        cpu.process(jcas);
        assertEquals(2, JCasUtil.select(jcas, NamedEntity.class).size());
        cpu.destroy();
        String bad =
                FewNerAnnotatorTest.messages(
                        assertThrows(
                                ResourceInitializationException.class,
                                () -> gazetteer(FewNerAnnotator.PARAM_DEVICE, "tpu")));
        assertTrue(bad.contains("device: 'tpu' is not a device (expected one of: cpu, gpu"), bad);
        ConfigurationParameter declared =
                Arrays.stream(
                                createEngineDescription(FewNerAnnotator.class, base().toArray())
                                        .getAnalysisEngineMetaData()
                                        .getConfigurationParameterDeclarations()
                                        .getConfigurationParameters())
                        .filter(p -> p.getName().equals(FewNerAnnotator.PARAM_DEVICE))
                        .findFirst()
                        .orElseThrow();
        assertEquals("String", declared.getType());
        // a bound resource on one device and an engine asking for another disagree
        String clash =
                FewNerAnnotatorTest.messages(
                        assertThrows(
                                ResourceInitializationException.class,
                                () ->
                                        createEngine(
                                                FewNerAnnotator.class,
                                                FewNerAnnotator.RES_MODEL,
                                                FewNerModelResource.description(
                                                        model.toString(), "cpu"),
                                                FewNerAnnotator.PARAM_DEVICE,
                                                "gpu:3",
                                                FewNerAnnotator.PARAM_METHOD,
                                                GazetteerMethodProvider.NAME,
                                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                                support.toString())));
        assertTrue(clash.contains("device"), clash);
        // the resource reads its own device parameter
        String resource =
                FewNerAnnotatorTest.messages(
                        assertThrows(
                                ResourceInitializationException.class,
                                () ->
                                        createEngine(
                                                FewNerAnnotator.class,
                                                FewNerAnnotator.RES_MODEL,
                                                FewNerModelResource.description(
                                                        model.toString(), "tpu"),
                                                FewNerAnnotator.PARAM_METHOD,
                                                GazetteerMethodProvider.NAME,
                                                FewNerAnnotator.PARAM_SUPPORT_LOCATION,
                                                support.toString())));
        assertTrue(resource.contains("device: 'tpu' is not a device"), resource);
    }
}
