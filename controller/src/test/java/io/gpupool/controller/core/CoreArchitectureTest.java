package io.gpupool.controller.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Guards the boundaries that keep the core pure and the clock injected. */
@Timeout(60)
class CoreArchitectureTest {
  private static final JavaClasses CONTROLLER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.gpupool.controller");

  @Test
  void theRulesSeeTheClassesTheyGuard() {
    assertThat(
            CONTROLLER.stream()
                .filter(c -> c.getPackageName().startsWith("io.gpupool.controller.core")))
        .as("classes of io.gpupool.controller.core imported for the rules below")
        .isNotEmpty();
  }

  @Test
  void theCoreDependsOnTheJavaPlatformOnly() {
    classes()
        .that()
        .resideInAPackage("io.gpupool.controller.core..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "io.gpupool.controller.core..", "java.lang..", "java.util..", "java.time..")
        .check(CONTROLLER);
  }

  @Test
  void theCoreStartsNoThreadsAndReadsNoClock() {
    noClasses()
        .that()
        .resideInAPackage("io.gpupool.controller.core..")
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
        .check(CONTROLLER);
  }

  @Test
  void onlyTheWiringReadsTheSystemClock() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.gpupool.controller")
        .should()
        .callMethod(java.time.Instant.class, "now")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(java.time.Clock.class, "systemUTC")
        .check(CONTROLLER);
  }

  @Test
  void theLoopNeverTouchesGrpcServerClasses() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.gpupool.controller.loop..",
            "io.gpupool.controller.state..",
            "io.gpupool.controller.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.grpc..")
        .check(CONTROLLER);
  }
}
