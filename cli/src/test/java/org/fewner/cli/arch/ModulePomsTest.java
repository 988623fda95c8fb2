package org.fewner.cli.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Module-level dependency rules, read from the poms: no module but {@code examples} itself names
 * {@code fewner-examples} (the examples are programs a user copies; the product does not depend on
 * them), and the modules that run the annotate pipeline get it from {@code fewner-pipeline}.
 */
class ModulePomsTest {
    /** The repository root: the cli module's parent directory. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    static List<String> modules() throws Exception {
        String root = Files.readString(ROOT.resolve("pom.xml"));
        List<String> modules = new ArrayList<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(root);
        while (m.find()) modules.add(m.group(1));
        return modules;
    }

    @Test
    void noPomButTheExamplesOwnNamesTheExamples() throws Exception {
        List<String> modules = modules();
        assertTrue(modules.contains("examples") && modules.contains("pipeline"), "" + modules);
        List<String> offenders = new ArrayList<>();
        if (Files.readString(ROOT.resolve("pom.xml")).contains("fewner-examples")) {
            offenders.add("pom.xml");
        }
        for (String module : modules) {
            if (module.equals("examples")) continue;
            Path pom = ROOT.resolve(module).resolve("pom.xml");
            if (Files.readString(pom).contains("fewner-examples")) offenders.add(module);
        }
        assertEquals(List.of(), offenders, "poms that name fewner-examples");
    }

    @Test
    void cliAndSparkGetThePipelineFromItsModule() throws Exception {
        for (String module : List.of("cli", "spark", "examples")) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            assertTrue(pom.contains("<artifactId>fewner-pipeline</artifactId>"), module);
        }
    }
}
