package org.fewner.cli.arch;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/** The cycle rule of {@link ArchitectureTest} is not vacuous: it fails on a known cycle. */
class CycleRuleSanityTest {
    @Test
    void cycleRuleFailsOnTwoPackagesThatImportEachOther() {
        JavaClasses fixture =
                new ClassFileImporter().importPackages("org.fewner.cli.arch.cyclefixture");
        assertTrue(
                slices().matching("org.fewner.cli.arch.cyclefixture.(**)")
                        .should()
                        .beFreeOfCycles()
                        .evaluate(fixture)
                        .hasViolation());
    }
}
