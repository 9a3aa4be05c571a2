package io.gpupool.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One gpupool server ({@code controller} or {@code agent}) run as its own OS process from the
 * runnable jar, so that a test can kill it with SIGKILL and start it again with the same arguments.
 * Each start writes stdout and stderr to a new log file ({@code NAME-1.log}, {@code NAME-2.log},
 * ...), whose tails {@link #logTail} returns for failure messages.
 *
 * <p>Not thread-safe: one test thread starts and kills it.
 */
final class GpupoolProcess implements AutoCloseable {
  /** How long a killed process may take to disappear. */
  private static final long EXIT_WAIT_SECONDS = 15;

  /** JVM options that make the many short-lived server JVMs start fast and stay small. */
  private static final List<String> JVM_OPTIONS =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx384m");

  private final String name;
  private final Path logDir;
  private final List<String> arguments;
  private final List<Path> logs = new ArrayList<>();
  // Volatile: Awaitility polls isAlive() and exitedUnexpectedly() from its own thread.
  private volatile Process process;
  private volatile boolean killedByTest;

  /**
   * A process that is not started yet.
   *
   * @param name names its log files, e.g. {@code controller} or {@code agent-a}
   * @param logDir where the log files go
   * @param arguments the gpupool command line after the jar, e.g. {@code controller --port 7070}
   */
  GpupoolProcess(String name, Path logDir, List<String> arguments) {
    this.name = name;
    this.logDir = logDir;
    this.arguments = List.copyOf(arguments);
  }

  /** The runnable jar the cli module builds; fails with the command that builds it if missing. */
  static Path jar() {
    Path jar = ExternalCommand.repoRoot().resolve("cli/target/gpupool.jar");
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(
          jar + " not found; build it with 'mvn -B -q -pl cli -am package -DskipTests'");
    }
    return jar;
  }

  /** The java launcher running this test, so that the servers run on the same JDK. */
  static String java() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** Starts the process; it must not be running. Returns at once, before it is ready. */
  GpupoolProcess start() throws IOException {
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    Path log = logDir.resolve(name + "-" + (logs.size() + 1) + ".log");
    logs.add(log);
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(JVM_OPTIONS);
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(arguments);
    Files.writeString(log, String.join(" ", command) + "\n", StandardCharsets.UTF_8);
    killedByTest = false;
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    process.getOutputStream().close();
    return this;
  }

  /** True while the last started process runs. */
  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** True if the last started process has exited although the test did not kill it. */
  boolean exitedUnexpectedly() {
    return process != null && !killedByTest && !process.isAlive();
  }

  /** The exit code of the last started process, or -1 while it runs or before it started. */
  int exitCode() {
    return process == null || process.isAlive() ? -1 : process.exitValue();
  }

  /**
   * Kills the process with SIGKILL (what {@link Process#destroyForcibly()} sends on Linux), without
   * touching the processes it started, and returns once it is gone.
   *
   * @throws AssertionError if it is still there after a while
   */
  void killHard() throws InterruptedException {
    if (process == null) {
      throw new IllegalStateException(name + " was never started");
    }
    killedByTest = true;
    process.destroyForcibly();
    if (!process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS) || process.isAlive()) {
      throw new AssertionError(name + " (pid " + process.pid() + ") survived SIGKILL");
    }
  }

  /** The last {@code lines} lines of each log this process wrote, oldest log first. */
  String logTail(int lines) {
    StringBuilder text = new StringBuilder();
    for (Path log : logs) {
      text.append("----- ").append(log.getFileName()).append(" (last ").append(lines);
      text.append(" lines) -----\n");
      try {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        all.subList(Math.max(0, all.size() - lines), all.size())
            .forEach(line -> text.append(line).append('\n'));
      } catch (IOException | UncheckedIOException e) {
        text.append("<cannot read: ").append(e.getMessage()).append(">\n");
      }
    }
    return text.toString();
  }

  String name() {
    return name;
  }

  /** Kills the process and everything it started (the tasks of an agent), waiting for them. */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    killedByTest = true;
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        // Best effort: a process that outlives the test must not hide the test's own failure.
      }
    }
  }
}
