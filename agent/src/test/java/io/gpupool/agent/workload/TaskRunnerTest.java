package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Durations;
import io.gpupool.agent.device.GpuSample;
import io.gpupool.agent.device.SimulateSpec;
import io.gpupool.agent.device.SimulatedBackend;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TaskRunnerTest {

  @TempDir Path stateDir;
  @TempDir Path workDir;

  private final List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
  private SimulatedBackend backend;
  private TaskRunner runner;

  @BeforeEach
  void setUp() {
    backend = new SimulatedBackend(SimulateSpec.parse("2xA100-80GB"), "node-1", 7);
    runner = new TaskRunner(backend, stateDir, Clock.systemUTC(), updates::add);
  }

  @AfterEach
  void tearDown() {
    runner.close();
  }

  private static TaskSpec.Builder command(String... argv) {
    return TaskSpec.newBuilder().setCommand(CommandWorkload.newBuilder().addAllArgv(List.of(argv)));
  }

  private static TaskSpec.Builder bash(String script) {
    return command("bash", "-c", script);
  }

  private static TaskSpec inDir(Path dir, String... argv) {
    return TaskSpec.newBuilder()
        .setCommand(
            CommandWorkload.newBuilder().addAllArgv(List.of(argv)).setWorkingDir(dir.toString()))
        .build();
  }

  private List<TaskUpdate> updatesOf(String taskId) {
    return updates.stream().filter(u -> u.getTaskId().equals(taskId)).toList();
  }

  private TaskEnded awaitEnded(String taskId) {
    await().until(() -> updatesOf(taskId).stream().anyMatch(TaskUpdate::hasEnded));
    List<TaskUpdate> task = updatesOf(taskId);
    assertThat(task.stream().filter(TaskUpdate::hasEnded)).hasSize(1);
    assertThat(task.get(task.size() - 1).hasEnded()).as("ended is the last update").isTrue();
    return task.get(task.size() - 1).getEnded();
  }

  private List<LogLine> logLines(String taskId) {
    return updatesOf(taskId).stream()
        .filter(TaskUpdate::hasLogs)
        .flatMap(u -> u.getLogs().getLinesList().stream())
        .toList();
  }

  private List<String> stdout(String taskId) {
    return logLines(taskId).stream()
        .filter(l -> l.getStream() == LogStream.LOG_STREAM_STDOUT)
        .map(LogLine::getText)
        .toList();
  }

  private boolean started(String taskId) {
    return updatesOf(taskId).stream().anyMatch(TaskUpdate::hasStarted);
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static long awaitPid(Path file) throws IOException {
    await().until(() -> Files.exists(file));
    return Long.parseLong(Files.readString(file).trim());
  }

  @Test
  void processSeesAssignedDevicesTaskIdAndSpecEnvironment() {
    TaskSpec spec =
        bash("echo \"$CUDA_VISIBLE_DEVICES|$GPUPOOL_TASK_ID|$GPUPOOL_GPU_UUIDS|$FOO\"").build();
    TaskSpec withEnv =
        spec.toBuilder()
            .setCommand(spec.getCommand().toBuilder().putAllEnv(Map.of("FOO", "bar")))
            .build();

    runner.start("t-env", withEnv, List.of(1, 0));

    TaskEnded ended = awaitEnded("t-env");
    assertThat(ended.getResult().getExitCode()).isZero();
    String uuids = backend.devices().get(1).uuid() + "," + backend.devices().get(0).uuid();
    assertThat(stdout("t-env")).containsExactly("1,0|t-env|" + uuids + "|bar");
  }

  @Test
  void runsInTheGivenWorkingDir() throws IOException {
    runner.start("t-wd", inDir(workDir, "pwd"), List.of());

    awaitEnded("t-wd");
    assertThat(stdout("t-wd")).containsExactly(workDir.toRealPath().toString());
  }

  @Test
  void runsInAFreshTaskDirectoryWithoutWorkingDir() throws IOException {
    runner.start("t-fresh", command("pwd").build(), List.of());

    awaitEnded("t-fresh");
    Path expected = stateDir.resolve("tasks").resolve("t-fresh");
    assertThat(expected).isDirectory();
    assertThat(stdout("t-fresh")).containsExactly(expected.toRealPath().toString());
  }

  @Test
  void missingWorkingDirFailsTheTaskNamingWorkingDir() {
    Path missing = workDir.resolve("nope");
    runner.start("t-nowd", inDir(missing, "true"), List.of());

    TaskEnded ended = awaitEnded("t-nowd");
    assertThat(ended.getResult().hasExitCode()).isFalse();
    assertThat(ended.getResult().getMessage()).contains("working_dir").contains(missing.toString());
    assertThat(started("t-nowd")).isFalse();
  }

  @Test
  void reportsStartedThenLogsAndProgressInOrderThenEnded() {
    runner.start(
        "t-order",
        bash("echo one; echo '##gpupool progress=10 step=1/10 warming up'; echo two;"
                + " echo oops >&2; echo three")
            .build(),
        List.of());

    awaitEnded("t-order");
    List<TaskUpdate> task = updatesOf("t-order");
    assertThat(task.get(0).hasStarted()).isTrue();
    List<String> stdoutEvents =
        task.stream()
            .flatMap(
                u -> {
                  if (u.hasProgress()) {
                    return Stream.of("progress:" + u.getProgress().getMessage());
                  }
                  return u.getLogs().getLinesList().stream()
                      .filter(l -> l.getStream() == LogStream.LOG_STREAM_STDOUT)
                      .map(LogLine::getText);
                })
            .toList();
    assertThat(stdoutEvents).containsExactly("one", "progress:warming up", "two", "three");
    assertThat(logLines("t-order"))
        .filteredOn(l -> l.getStream() == LogStream.LOG_STREAM_STDERR)
        .extracting(LogLine::getText)
        .containsExactly("oops");
    TaskUpdate progress = task.stream().filter(TaskUpdate::hasProgress).findFirst().orElseThrow();
    assertThat(progress.getProgress().getPercent()).isEqualTo(10.0);
    assertThat(progress.getProgress().getStep()).isEqualTo(1);
    assertThat(progress.getProgress().hasTime()).isTrue();
    assertThat(logLines("t-order")).allMatch(LogLine::hasTime);
  }

  @Test
  void batchesManyLinesAtMost200PerUpdateInOrder() {
    runner.start("t-many", command("seq", "1", "1000").build(), List.of());

    awaitEnded("t-many");
    assertThat(updatesOf("t-many").stream().filter(TaskUpdate::hasLogs))
        .allMatch(u -> u.getLogs().getLinesCount() <= TaskOutput.MAX_BATCH);
    assertThat(stdout("t-many")).hasSize(1000).startsWith("1", "2", "3").endsWith("999", "1000");
  }

  @Test
  void reportsNonZeroExitCode() {
    runner.start("t-exit", bash("exit 3").build(), List.of());

    TaskEnded ended = awaitEnded("t-exit");
    assertThat(ended.getResult().getExitCode()).isEqualTo(3);
    assertThat(ended.getResult().getMessage()).as("the exit code says it all").isEmpty();
    assertThat(ended.getCancelled()).isFalse();
  }

  @Test
  void execFailureEndsWithoutExitCodeAndWithoutStarted() {
    runner.start("t-noexec", command("/nonexistent/program").build(), List.of());

    TaskEnded ended = awaitEnded("t-noexec");
    assertThat(ended.getResult().hasExitCode()).isFalse();
    assertThat(ended.getResult().getMessage()).startsWith("exec failed: /nonexistent/program");
    assertThat(updatesOf("t-noexec")).hasSize(1);
  }

  @Test
  void unknownDeviceIndexFailsTheTask() {
    runner.start("t-dev", command("true").build(), List.of(5));

    TaskEnded ended = awaitEnded("t-dev");
    assertThat(ended.getResult().hasExitCode()).isFalse();
    assertThat(ended.getResult().getMessage()).contains("device index 5");
  }

  @Test
  void cancelKillsTheWholeProcessTree() throws IOException {
    Path pidFile = workDir.resolve("child.pid");
    runner.start(
        "t-tree",
        inDir(
            workDir,
            "bash",
            "-c",
            "sleep 1000 & echo $! > child.tmp && mv child.tmp child.pid; wait"),
        List.of());
    long childPid = awaitPid(pidFile);
    assertThat(alive(childPid)).isTrue();

    assertThat(runner.cancel("t-tree", Duration.ofSeconds(10))).isTrue();

    TaskEnded ended = awaitEnded("t-tree");
    assertThat(ended.getCancelled()).isTrue();
    assertThat(ended.getResult().getMessage()).isEqualTo("cancelled");
    assertThat(alive(childPid)).as("the child is gone when the task ends").isFalse();
  }

  @Test
  void killsWithSigkillAfterGraceWhenSigtermIsIgnored() {
    runner.start(
        "t-trap", bash("trap '' TERM; echo ready; sleep 1000; echo survived").build(), List.of());
    await().until(() -> stdout("t-trap").contains("ready"));

    runner.cancel("t-trap", Duration.ofMillis(300));

    TaskEnded ended = awaitEnded("t-trap");
    assertThat(ended.getResult().getExitCode()).isEqualTo(128 + 9);
    assertThat(ended.getCancelled()).isTrue();
    assertThat(stdout("t-trap")).doesNotContain("survived");
  }

  @Test
  void exceedingMaxRuntimeKillsTheTaskWithoutCancelledFlag() {
    runner.start(
        "t-slow",
        command("sleep", "1000").setMaxRuntime(Durations.fromMillis(300)).build(),
        List.of());

    TaskEnded ended = awaitEnded("t-slow");
    assertThat(ended.getCancelled()).isFalse();
    assertThat(ended.getResult().getMessage()).isEqualTo("killed: exceeded max_runtime 300ms");
    assertThat(ended.getResult().getExitCode()).isEqualTo(128 + 15);
  }

  @Test
  void assignedDevicesAreBusyWhileTheTaskRuns() {
    runner.start("t-busy", bash("echo ready; sleep 1000").build(), List.of(1));
    await().until(() -> stdout("t-busy").contains("ready"));

    List<GpuSample> busy = backend.sample();
    assertThat(busy.get(1).utilizationPercent()).isGreaterThan(90);
    assertThat(busy.get(0).utilizationPercent()).isLessThan(5);

    runner.cancel("t-busy", Duration.ofSeconds(5));
    awaitEnded("t-busy");
    assertThat(backend.sample().get(1).utilizationPercent()).isLessThan(5);
  }

  @Test
  void secondStartOfAKnownTaskIsIgnored() {
    assertThat(runner.start("t-dup", bash("echo once").build(), List.of())).isTrue();
    assertThat(runner.start("t-dup", bash("echo twice").build(), List.of())).isFalse();
    awaitEnded("t-dup");

    assertThat(runner.start("t-dup", bash("echo again").build(), List.of())).isFalse();
    assertThat(stdout("t-dup")).containsExactly("once");
    assertThat(updatesOf("t-dup").stream().filter(TaskUpdate::hasStarted)).hasSize(1);
  }

  @Test
  void cancelOfUnknownOrFinishedTaskIsIgnored() {
    assertThat(runner.cancel("t-unknown", null)).isFalse();
    runner.start("t-done", command("true").build(), List.of());
    awaitEnded("t-done");
    await().until(() -> runner.runningTaskIds().isEmpty());

    assertThat(runner.cancel("t-done", null)).isFalse();
    assertThat(updatesOf("t-done").stream().filter(TaskUpdate::hasEnded)).hasSize(1);
  }

  @Test
  void closeKillsRunningTasksAndReportsTheirEnd() {
    runner.start(
        "t-close",
        bash("echo ready; sleep 1000").setKillGracePeriod(Durations.fromMillis(500)).build(),
        List.of());
    await().until(() -> stdout("t-close").contains("ready"));

    runner.close();

    TaskEnded ended = awaitEnded("t-close");
    assertThat(ended.getResult().getMessage()).isEqualTo("killed: the agent shut down");
    assertThat(ended.getCancelled()).isFalse();
    assertThat(runner.start("t-after", command("true").build(), List.of())).isFalse();
  }
}
