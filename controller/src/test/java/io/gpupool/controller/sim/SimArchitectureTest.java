package io.gpupool.controller.sim;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Keeps the simulator a pure client of the core: no I/O stacks, no wall clock, no threads. */
@Timeout(60)
class SimArchitectureTest {
  private static final JavaClasses SIM =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.gpupool.controller.sim");

  @Test
  void theRulesSeeTheClassesTheyGuard() {
    assertThat(SIM.stream().filter(c -> c.getPackageName().startsWith("io.gpupool.controller.sim")))
        .as("classes of io.gpupool.controller.sim imported for the rules below")
        .isNotEmpty();
  }

  @Test
  void theSimulatorDependsOnTheCoreTheJdkAndLoggingOnly() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "io.gpupool.controller.sim..", "io.gpupool.controller.core..", "java..", "org.slf4j..")
        .check(SIM);
  }

  @Test
  void theSimulatorRunsOnVirtualTimeInOneThread() {
    noClasses()
        .should()
        .callMethod(java.time.Instant.class, "now")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(Thread.class)
        .orShould()
        .dependOnClassesThat()
        .resideInAPackage("java.util.concurrent..")
        .check(SIM);
  }
}
