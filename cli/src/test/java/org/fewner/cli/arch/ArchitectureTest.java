package org.fewner.cli.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package structure of FewNER (all modules: the cli module sees every other one): packages form
 * layers with no cycle, the model code ({@code llm}) knows nothing of UIMA, and nothing depends on
 * the examples.
 */
@AnalyzeClasses(packages = "org.fewner", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noPackageCycleInLlm =
            slices().matching("org.fewner.llm.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noCycleBetweenModules =
            slices().matching("org.fewner.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noPackageCycleAnywhere =
            slices().matching("org.fewner.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule llmDoesNotImportUima =
            noClasses()
                    .that()
                    .resideInAPackage("org.fewner.llm..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("org.apache.uima..");

    /**
     * {@code examples} holds programs a user copies: nothing in the product depends on them (the
     * module-level rule, no pom but the examples' own lists {@code fewner-examples}, is {@link
     * ModulePomsTest}).
     */
    @ArchTest
    static final ArchRule nothingDependsOnExamples =
            noClasses()
                    .that()
                    .resideOutsideOfPackage("org.fewner.examples..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("org.fewner.examples..");

    @ArchTest
    static final ArchRule nerDoesNotImportUima =
            noClasses()
                    .that()
                    .resideInAPackage("org.fewner.ner..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("org.apache.uima..");
}
