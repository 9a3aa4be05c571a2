package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Checks bin/gpupool, run from copies of the repository layout that lack the jar. */
@Timeout(60)
class LauncherScriptTest {
  /** Surefire runs in the module directory, cli/. */
  private static final Path SCRIPT = Path.of("..", "bin", "gpupool").toAbsolutePath().normalize();

  private record Run(int exitCode, String stdout, String stderr) {}

  /** A repository with nothing but bin/gpupool; returns the script's path in it. */
  private static Path repoWithScript(Path repo) throws IOException {
    Path script = Files.createDirectories(repo.resolve("bin")).resolve("gpupool");
    Files.copy(SCRIPT, script);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  private static Run run(Path workDir, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), stdout, stderr);
  }

  private static String jarOf(Path repo) throws IOException {
    return repo.toRealPath().resolve("cli/target/gpupool.jar").toString();
  }

  @Test
  void isExecutableValidShell(@TempDir Path anywhere) throws Exception {
    assertThat(Files.isExecutable(SCRIPT)).as(SCRIPT + " is executable").isTrue();

    Run check = run(anywhere, Map.of(), "sh", "-n", SCRIPT.toString());

    assertThat(check.exitCode()).as(check.stderr()).isZero();
  }

  @Test
  void withoutTheJarSaysHowToBuildItAndExitsOne(@TempDir Path repo, @TempDir Path elsewhere)
      throws Exception {
    Path script = repoWithScript(repo);

    Run run = run(elsewhere, Map.of(), script.toString(), "list");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr()).contains(jarOf(repo)).contains("mvn -B -q package -DskipTests");
  }

  @Test
  void findsTheRepositoryThroughASymlink(@TempDir Path root) throws Exception {
    // Both under one temp dir, so cleaning up never follows a link out of it.
    Path repo = Files.createDirectories(root.resolve("repo"));
    Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
    Path script = repoWithScript(repo);
    Path link = Files.createSymbolicLink(elsewhere.resolve("gpupool"), script);

    Run run = run(elsewhere, Map.of(), link.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr()).contains(jarOf(repo));
  }

  @Test
  void saysSoWhenJavaHomeHasNoJava(@TempDir Path repo) throws Exception {
    Path script = repoWithScript(repo);
    Files.write(
        Files.createDirectories(repo.resolve("cli/target")).resolve("gpupool.jar"), List.of());

    Run run = run(repo, Map.of("JAVA_HOME", repo.resolve("no-jdk").toString()), script.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr()).contains("JAVA_HOME").contains("no-jdk");
  }
}
