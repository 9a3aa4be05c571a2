package io.gpupool.agent.workload;

import static io.gpupool.agent.workload.TaskUpdates.awaitEnded;
import static io.gpupool.agent.workload.TaskUpdates.sh;
import static io.gpupool.agent.workload.TaskUpdates.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task taken over by a restarted agent keeps its user and its output limits: output files that
 * were emptied while it ran, and a backlog written while no agent read, are reported consistently.
 * The workload runs as nobody when this JVM is root (as here and in CI), as this JVM's user
 * otherwise.
 */
@Timeout(60)
class TakeOverLimitsTest {

  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final String AWAIT_GO = "while [ ! -e go ]; do sleep 0.02; done; ";

  @TempDir Path stateDir;

  private final List<TaskRunner> runners = new ArrayList<>();
  private final String runAs = WorkloadUser.agent().isRoot() ? "nobody" : null;
  private final long uid = WorkloadUser.resolve(runAs).uid();

  @BeforeEach
  void setUp() throws IOException {
    Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx--x--x"));
  }

  @AfterEach
  void tearDown() throws IOException {
    runners.forEach(TaskRunner::close);
    Path tasks = stateDir.resolve("tasks");
    if (!Files.isDirectory(tasks)) {
      return;
    }
    try (Stream<Path> directories = Files.list(tasks)) {
      for (Path task : directories.toList()) {
        Path dir = task.toRealPath().resolve(SupervisorDir.NAME);
        OptionalLong pid = new SupervisorDir(task).pid();
        if (pid.isPresent()) {
          ProcessHandle.of(pid.getAsLong())
              .filter(p -> Supervisor.supervises(p, dir))
              .ifPresent(
                  p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                  });
        }
      }
    }
  }

  private TaskRunner runner(List<TaskUpdate> updates, OutputLimits limits) {
    TaskRunner runner =
        TaskUpdates.runner(
            stateDir,
            Clock.fixed(NOW, ZoneOffset.UTC),
            updates,
            WorkloadSettings.defaults().withRunAs(runAs).withOutputLimits(limits));
    runners.add(runner);
    return runner;
  }

  private SupervisorDir supervisorDir(String taskId) {
    return new SupervisorDir(stateDir.resolve("tasks").resolve(taskId));
  }

  private void go(String taskId) throws IOException {
    Files.createFile(stateDir.resolve("tasks").resolve(taskId).resolve("work").resolve("go"));
  }

  @Test
  void aTaskWhoseFilesWereEmptiedIsTakenOverAndReportsEveryLineOnceAsItsUser() throws IOException {
    OutputLimits limits = OutputLimits.of(1L << 30, 1_000_000, 1L << 30).withFileBytes(4096);
    List<TaskUpdate> first = new CopyOnWriteArrayList<>();
    runner(first, limits)
        .start(
            "t-roll",
            sh("seq 1 2000; " + AWAIT_GO + "seq 2001 4000; id -u; exit 7", null),
            List.of());
    SupervisorDir dir = supervisorDir("t-roll");
    await().until(() -> stdout(first, "t-roll").contains("2000"));
    await().until(() -> dir.reportedOffsets()[0] == Files.size(dir.stdout()));
    assertThat(Files.size(dir.stdout())).as("emptied once read").isLessThan(4096);
    assertThat(dir.readRecord().runAs())
        .hasValueSatisfying(u -> assertThat(u.uid()).isEqualTo(uid));
    runners.get(0).abandon();

    List<TaskUpdate> second = new CopyOnWriteArrayList<>();
    TaskRunner restarted = runner(second, limits);
    assertThat(restarted.reattach()).containsExactly("t-roll");
    go("t-roll");

    TaskEnded ended = awaitEnded(second, "t-roll");
    assertThat(ended.getResult().getExitCode()).isEqualTo(7);
    List<String> expected = new ArrayList<>();
    IntStream.rangeClosed(1, 4000).forEach(i -> expected.add(Integer.toString(i)));
    expected.add(Long.toString(uid));
    List<String> all = new ArrayList<>(stdout(first, "t-roll"));
    all.addAll(stdout(second, "t-roll"));
    assertThat(all).containsExactlyElementsOf(expected);
  }

  @Test
  void aBacklogWrittenWhileNoAgentReadIsDroppedUnreadKeepingTheLastWords() throws IOException {
    OutputLimits limits = OutputLimits.of(1L << 30, 1_000_000, 1L << 30).withFileBytes(64 * 1024);
    List<TaskUpdate> first = new CopyOnWriteArrayList<>();
    runner(first, limits)
        .start(
            "t-backlog",
            sh("echo ready; " + AWAIT_GO + "seq 1 1000000; echo last words; exit 4", null),
            List.of());
    SupervisorDir dir = supervisorDir("t-backlog");
    await().until(() -> stdout(first, "t-backlog").contains("ready"));
    await().until(() -> dir.reportedOffsets()[0] > 0);
    runners.get(0).abandon();
    go("t-backlog");
    await().until(() -> dir.exitStatus().isPresent());

    List<TaskUpdate> second = new CopyOnWriteArrayList<>();
    assertThat(runner(second, limits).reattach()).containsExactly("t-backlog");

    TaskEnded ended = awaitEnded(second, "t-backlog");
    assertThat(ended.getResult().getExitCode()).isEqualTo(4);
    List<String> lines = stdout(second, "t-backlog");
    assertThat(lines).hasSizeLessThan(500_000);
    assertThat(lines.get(lines.size() - 1)).isEqualTo("last words");
    assertThat(lines)
        .filteredOn(line -> line.startsWith(TaskOutput.MARKER_PREFIX))
        .singleElement()
        .asString()
        .endsWith("dropped unread: the task wrote faster than the agent reads]");
  }
}
