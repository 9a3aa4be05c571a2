package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Durations;
import io.gpupool.agent.device.SimulateSpec;
import io.gpupool.agent.device.SimulatedBackend;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Command tasks outlive the agent process: a runner abandoned as if the agent had been killed with
 * SIGKILL leaves its tasks running under their supervisors, and a new runner on the same state dir
 * takes them over and reports each end exactly once.
 */
@Timeout(60)
class TaskRunnerReattachTest {

  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  /** Waits for the file "go" in its working dir, without busy-looping too hard. */
  private static final String AWAIT_GO = "while [ ! -e go ]; do sleep 0.02; done; ";

  /** Idles until stopped; a trapped signal interrupts the wait (see TaskRunnerTest.IDLE). */
  private static final String IDLE =
      "echo ready; while [ -z \"$stopping\" ]; do sleep 1000 & wait $!; done; wait";

  @TempDir Path stateDir;
  @TempDir Path workDir;

  private final List<TaskRunner> runners = new ArrayList<>();

  @AfterEach
  void tearDown() throws IOException {
    runners.forEach(TaskRunner::close);
    // A failed test may leave a supervisor nobody took over: it must not outlive the test.
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

  /** A runner as an agent process would create it, reporting into its own list. */
  private TaskRunner runner(List<TaskUpdate> updates) {
    return runner(updates, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private TaskRunner runner(List<TaskUpdate> updates, Clock clock) {
    return runner(updates, clock, newBackend());
  }

  /** The devices as a new agent process sees them. */
  private static SimulatedBackend newBackend() {
    return new SimulatedBackend(SimulateSpec.parse("2xA100-80GB"), "node-1", 7);
  }

  private TaskRunner runner(List<TaskUpdate> updates, Clock clock, SimulatedBackend backend) {
    TaskRunner runner = new TaskRunner(backend, stateDir, clock, updates::add);
    runners.add(runner);
    return runner;
  }

  private TaskSpec bash(String script) {
    return TaskSpec.newBuilder()
        .setCommand(
            CommandWorkload.newBuilder()
                .addArgv("bash")
                .addArgv("-c")
                .addArgv(script)
                .setWorkingDir(workDir.toString()))
        .build();
  }

  private static List<TaskUpdate> of(List<TaskUpdate> updates, String taskId) {
    return updates.stream().filter(u -> u.getTaskId().equals(taskId)).toList();
  }

  private static List<String> lines(List<TaskUpdate> updates, String taskId, LogStream stream) {
    return of(updates, taskId).stream()
        .filter(TaskUpdate::hasLogs)
        .flatMap(u -> u.getLogs().getLinesList().stream())
        .filter(l -> l.getStream() == stream)
        .map(LogLine::getText)
        .toList();
  }

  private static List<String> stdout(List<TaskUpdate> updates, String taskId) {
    return lines(updates, taskId, LogStream.LOG_STREAM_STDOUT);
  }

  private static long endedCount(List<TaskUpdate> updates, String taskId) {
    return of(updates, taskId).stream().filter(TaskUpdate::hasEnded).count();
  }

  private static TaskEnded awaitEnded(List<TaskUpdate> updates, String taskId) {
    await().until(() -> endedCount(updates, taskId) > 0);
    List<TaskUpdate> task = of(updates, taskId);
    assertThat(task.get(task.size() - 1).hasEnded()).as("ended is the last update").isTrue();
    return task.get(task.size() - 1).getEnded();
  }

  private SupervisorDir supervisorDir(String taskId) {
    return new SupervisorDir(stateDir.resolve("tasks").resolve(taskId));
  }

  /** Waits until the runner reported the line and recorded that it did (the agent may die then). */
  private void awaitReported(List<TaskUpdate> updates, String taskId, String line) {
    await().until(() -> stdout(updates, taskId).contains(line));
    await().until(() -> supervisorDir(taskId).reportedOffsets()[0] > 0);
  }

  private long supervisorPid(String taskId) {
    await().until(() -> supervisorDir(taskId).pid().isPresent());
    return supervisorDir(taskId).pid().getAsLong();
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private void go() throws IOException {
    Files.createFile(workDir.resolve("go"));
  }

  @Test
  void aRunningTaskIsTakenOverAndItsLaterOutputAndEndArriveOnce() throws IOException {
    List<TaskUpdate> first = new CopyOnWriteArrayList<>();
    TaskRunner dying = runner(first);
    dying.start("t-run", bash("echo before; " + AWAIT_GO + "echo after; exit 7"), List.of(1));
    awaitReported(first, "t-run", "before");
    long supervisor = supervisorPid("t-run");

    dying.abandon();
    List<TaskUpdate> second = new CopyOnWriteArrayList<>();
    SimulatedBackend backend = newBackend();
    TaskRunner restarted = runner(second, Clock.fixed(NOW, ZoneOffset.UTC), backend);

    assertThat(restarted.reattach()).containsExactly("t-run");
    assertThat(restarted.runningTaskIds()).as("offered for the hello").containsExactly("t-run");
    assertThat(alive(supervisor)).isTrue();
    assertThat(backend.sample().get(1).utilizationPercent())
        .as("its device is busy again")
        .isGreaterThan(90);

    go();

    TaskEnded ended = awaitEnded(second, "t-run");
    assertThat(ended.getResult().getExitCode()).isEqualTo(7);
    assertThat(ended.getResult().getMessage()).isEmpty();
    assertThat(stdout(second, "t-run")).containsExactly("after");
    assertThat(endedCount(first, "t-run")).isZero();
    assertThat(endedCount(second, "t-run")).isOne();
    await().until(() -> restarted.runningTaskIds().isEmpty());
    assertThat(backend.sample().get(1).utilizationPercent()).isLessThan(5);
    assertThat(runner(new CopyOnWriteArrayList<>()).reattach())
        .as("reported: nobody takes it over again")
        .isEmpty();
  }

  @Test
  void aTaskThatEndedWhileNoRunnerWasUpIsReportedOnceWithItsExitCodeAndOutput() throws IOException {
    List<TaskUpdate> first = new CopyOnWriteArrayList<>();
    TaskRunner dying = runner(first);
    StartTask start =
        StartTask.newBuilder()
            .setTaskId("t-done")
            .setSpec(bash("echo first; " + AWAIT_GO + "echo second; echo oops >&2; exit 3"))
            .setAttempt(2)
            .build();
    dying.start(start);
    awaitReported(first, "t-done", "first");
    long supervisor = supervisorPid("t-done");
    dying.abandon();

    go();
    await().until(() -> !alive(supervisor));

    List<TaskUpdate> second = new CopyOnWriteArrayList<>();
    TaskRunner restarted = runner(second);
    assertThat(restarted.reattach()).containsExactly("t-done");

    TaskEnded ended = awaitEnded(second, "t-done");
    assertThat(ended.getResult().getExitCode()).isEqualTo(3);
    assertThat(ended.getResult().getMessage()).isEmpty();
    assertThat(stdout(second, "t-done")).containsExactly("second");
    assertThat(lines(second, "t-done", LogStream.LOG_STREAM_STDERR)).containsExactly("oops");
    assertThat(of(second, "t-done")).noneMatch(TaskUpdate::hasStarted);
    assertThat(endedCount(first, "t-done")).isZero();
    assertThat(endedCount(second, "t-done")).isOne();

    List<TaskUpdate> third = new CopyOnWriteArrayList<>();
    TaskRunner again = runner(third);
    assertThat(again.reattach()).isEmpty();
    assertThat(again.start(start)).as("a resent start of the attempt that ran").isFalse();
    assertThat(again.start(start.toBuilder().setAttempt(3).build())).isTrue();
    awaitEnded(third, "t-done");
  }

  @Test
  void aTaskWhoseSupervisorDiedWithoutExitStatusIsReportedLostAndItsWorkloadStopped()
      throws IOException {
    List<TaskUpdate> first = new CopyOnWriteArrayList<>();
    TaskRunner dying = runner(first);
    dying.start(
        "t-lost",
        bash("echo $$ > workload.tmp && mv workload.tmp workload.pid; " + IDLE),
        List.of());
    await().until(() -> Files.exists(workDir.resolve("workload.pid")));
    long workload = Long.parseLong(Files.readString(workDir.resolve("workload.pid")).trim());
    long supervisor = supervisorPid("t-lost");
    dying.abandon();

    ProcessHandle.of(supervisor).ifPresent(ProcessHandle::destroyForcibly);
    await().until(() -> !alive(supervisor));
    assertThat(alive(workload)).as("the workload outlives its supervisor").isTrue();

    List<TaskUpdate> second = new CopyOnWriteArrayList<>();
    assertThat(runner(second).reattach()).containsExactly("t-lost");

    TaskEnded ended = awaitEnded(second, "t-lost");
    assertThat(ended.getResult().hasExitCode()).isFalse();
    assertThat(ended.getResult().getMessage())
        .isEqualTo("lost: the task's supervisor died while the agent was down");
    assertThat(endedCount(second, "t-lost")).isOne();
    await().until(() -> !alive(workload));
  }

  @Test
  void preemptionSignalsTheWorkloadNotItsSupervisorAlsoAfterATakeOver() throws IOException {
    List<TaskUpdate> first = new CopyOnWriteArrayList<>();
    TaskRunner dying = runner(first);
    dying.start("t-usr1", bash("trap 'echo got-usr1' USR1; " + IDLE), List.of());
    await().until(() -> stdout(first, "t-usr1").contains("ready"));
    long supervisor = supervisorPid("t-usr1");

    assertThat(dying.preempt("t-usr1", "make room", Duration.ofMinutes(10))).isTrue();

    await().until(() -> stdout(first, "t-usr1").contains("got-usr1"));
    assertThat(alive(supervisor)).as("SIGUSR1 never reaches the supervisor").isTrue();
    await().until(() -> supervisorDir("t-usr1").reportedOffsets()[0] > "ready\n".length());

    dying.abandon();
    List<TaskUpdate> second = new CopyOnWriteArrayList<>();
    TaskRunner restarted = runner(second);
    restarted.reattach();
    assertThat(restarted.preempt("t-usr1", "make room", Duration.ofMinutes(10)))
        .as("it has its notice already")
        .isFalse();

    restarted.cancel("t-usr1", Duration.ofSeconds(5));

    TaskEnded ended = awaitEnded(second, "t-usr1");
    assertThat(ended.getCancelled()).isTrue();
    assertThat(ended.getResult().getExitCode()).as("SIGTERM to the workload").isEqualTo(143);
  }

  @Test
  void aStopInProgressIsCarriedOnByTheRunnerThatTakesOver() {
    List<TaskUpdate> first = new CopyOnWriteArrayList<>();
    TaskRunner dying = runner(first);
    dying.start(
        "t-stop",
        bash("trap 'echo term' TERM; " + IDLE).toBuilder()
            .setKillGracePeriod(Durations.fromMillis(300))
            .build(),
        List.of());
    await().until(() -> stdout(first, "t-stop").contains("ready"));
    dying.cancel("t-stop", Duration.ofHours(1));
    await().until(() -> stdout(first, "t-stop").contains("term"));

    dying.abandon(); // and with it the SIGKILL an hour from now
    List<TaskUpdate> second = new CopyOnWriteArrayList<>();
    runner(second).reattach();

    TaskEnded ended = awaitEnded(second, "t-stop");
    assertThat(ended.getCancelled()).isTrue();
    assertThat(ended.getResult().getMessage()).isEqualTo("cancelled");
    assertThat(ended.getResult().getExitCode()).as("SIGKILL after the spec's grace").isEqualTo(137);
  }

  @Test
  void maxRuntimeCountsFromTheRecordedStart() {
    List<TaskUpdate> first = new CopyOnWriteArrayList<>();
    TaskRunner dying = runner(first);
    dying.start(
        "t-slow",
        bash(IDLE).toBuilder().setMaxRuntime(Durations.fromSeconds(3600)).build(),
        List.of());
    await().until(() -> stdout(first, "t-slow").contains("ready"));
    dying.abandon();

    List<TaskUpdate> second = new CopyOnWriteArrayList<>();
    Clock later = Clock.fixed(NOW.plus(Duration.ofMinutes(60)).minusMillis(300), ZoneOffset.UTC);
    runner(second, later).reattach();

    TaskEnded ended = awaitEnded(second, "t-slow");
    assertThat(ended.getResult().getMessage()).isEqualTo("killed: exceeded max_runtime 1h");
    assertThat(ended.getResult().getExitCode()).isEqualTo(143);
  }

  @Test
  void aLaunchRecordWithoutSupervisorIsForgottenSoTheTaskCanStart() throws IOException {
    StartTask start =
        StartTask.newBuilder().setTaskId("t-never").setSpec(bash("echo ran")).setAttempt(1).build();
    Path taskDir = stateDir.resolve("tasks").resolve("t-never");
    Files.createDirectories(taskDir);
    new SupervisorDir(taskDir)
        .prepare(start, NOW, SupervisorDir.RunAs.of(WorkloadUser.agent())); // died before launch

    List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
    TaskRunner restarted = runner(updates);

    assertThat(restarted.reattach()).isEmpty();
    assertThat(updates).isEmpty();
    assertThat(restarted.start(start)).isTrue();
    awaitEnded(updates, "t-never");
    assertThat(stdout(updates, "t-never")).containsExactly("ran");
  }

  @Test
  void theOutputOfAnEndedTaskIsDroppedOnceReported() {
    List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
    TaskRunner runner = runner(updates);
    runner.start("t-clean", bash("echo hello; echo oops >&2"), List.of());

    awaitEnded(updates, "t-clean");
    await().until(() -> runner.runningTaskIds().isEmpty());

    SupervisorDir dir = supervisorDir("t-clean");
    assertThat(dir.isReported()).isTrue();
    assertThat(dir.reportedAttempt()).hasValue(1);
    assertThat(dir.stdout()).isEmptyFile();
    assertThat(dir.stderr()).isEmptyFile();
  }
}
