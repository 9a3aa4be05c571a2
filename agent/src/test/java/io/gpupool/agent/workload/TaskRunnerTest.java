package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.agent.device.GpuSample;
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

  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  /**
   * Idles in a wait that a trapped signal interrupts, until stopped. A trap that sets {@code
   * stopping} makes it wait without starting new processes, which a tree kill racing with a fork
   * could miss.
   */
  private static final String IDLE =
      "echo ready; while [ -z \"$stopping\" ]; do sleep 1000 & wait $!; done; wait";

  @TempDir Path stateDir;
  @TempDir Path workDir;

  private final List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
  private SimulatedBackend backend;
  private TaskRunner runner;

  @BeforeEach
  void setUp() {
    backend = new SimulatedBackend(SimulateSpec.parse("2xA100-80GB"), "node-1", 7);
    runner = new TaskRunner(backend, stateDir, Clock.fixed(NOW, ZoneOffset.UTC), updates::add);
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

  private List<String> stderr(String taskId) {
    return logLines(taskId).stream()
        .filter(l -> l.getStream() == LogStream.LOG_STREAM_STDERR)
        .map(LogLine::getText)
        .toList();
  }

  private void awaitStdout(String taskId, String line) {
    await().until(() -> stdout(taskId).contains(line));
  }

  private Path noticeFile(String taskId) {
    return stateDir.resolve("tasks").resolve(taskId).resolve(".gpupool-notice.json");
  }

  private static Struct json(Path file) throws IOException {
    Struct.Builder json = Struct.newBuilder();
    JsonFormat.parser().merge(Files.readString(file), json);
    return json.build();
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
  void runsInTheTasksWorkDirWithoutWorkingDir() throws IOException {
    runner.start("t-fresh", command("pwd").build(), List.of());

    awaitEnded("t-fresh");
    Path expected = stateDir.resolve("tasks").resolve("t-fresh").resolve("work");
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

  @Test
  void processSeesAttemptAndControllerEnvironmentOverridingTheSpecs() {
    TaskSpec spec = bash("echo \"$GPUPOOL_ATTEMPT|$FOO|$BAR|$RANK\"").build();
    TaskSpec withEnv =
        spec.toBuilder()
            .setCommand(
                spec.getCommand().toBuilder().putAllEnv(Map.of("FOO", "spec", "BAR", "spec")))
            .build();

    runner.start(
        StartTask.newBuilder()
            .setTaskId("t-attempt")
            .setSpec(withEnv)
            .setAttempt(3)
            .putAllEnv(Map.of("FOO", "controller", "RANK", "2"))
            .build());

    awaitEnded("t-attempt");
    assertThat(stdout("t-attempt")).containsExactly("3|controller|spec|2");
    assertThat(updatesOf("t-attempt"))
        .as("every update names its attempt")
        .isNotEmpty()
        .allSatisfy(update -> assertThat(update.getAttempt()).isEqualTo(3));
  }

  @Test
  void attemptIsOneWhenTheControllerDoesNotSay() {
    runner.start(
        StartTask.newBuilder()
            .setTaskId("t-old")
            .setSpec(bash("echo \"$GPUPOOL_ATTEMPT\""))
            .build());

    awaitEnded("t-old");
    assertThat(stdout("t-old")).containsExactly("1");
  }

  @Test
  void noticeFileIsNamedUnderTheStateDirAndAbsentUntilANotice() {
    runner.start(
        "t-nf",
        inDir(
            workDir,
            "bash",
            "-c",
            "echo \"$GPUPOOL_NOTICE_FILE\"; [ -e \"$GPUPOOL_NOTICE_FILE\" ] && echo present"
                + " || echo absent; [ -d \"$(dirname \"$GPUPOOL_NOTICE_FILE\")\" ] && echo dir"),
        List.of());

    awaitEnded("t-nf");
    assertThat(stdout("t-nf"))
        .containsExactly(noticeFile("t-nf").toAbsolutePath().toString(), "absent", "dir");
    assertThat(noticeFile("t-nf")).doesNotExist();
  }

  @Test
  void checkpointingWorkloadGetsTheSignalAndNoticeAndIsStoppedAtOnce() throws IOException {
    String reason = "preempted by \"t-42\" (priority 100)\\ \n\tnow é";
    runner.start(
        "t-ckpt",
        inDir(
            workDir,
            "bash",
            "-c",
            "trap 'stopping=1; cp \"$GPUPOOL_NOTICE_FILE\" notice.seen;"
                + " echo \"##gpupool checkpointed saved step 7\"' USR1; "
                + IDLE),
        List.of());
    awaitStdout("t-ckpt", "ready");
    assertThat(noticeFile("t-ckpt")).doesNotExist();

    assertThat(runner.preempt("t-ckpt", reason, Duration.ofMinutes(10))).isTrue();

    TaskEnded ended = awaitEnded("t-ckpt"); // long before the 10-minute deadline
    assertThat(ended.getPreempted()).isTrue();
    assertThat(ended.getCancelled()).isFalse();
    assertThat(ended.getResult().getMessage())
        .isEqualTo("preempted: " + reason + " (checkpointed)");
    assertThat(ended.getResult().getExitCode()).isEqualTo(128 + 15);
    Struct notice = json(workDir.resolve("notice.seen"));
    assertThat(notice.getFieldsMap())
        .containsOnlyKeys("task_id", "reason", "deadline", "attempt")
        .containsEntry("task_id", Value.newBuilder().setStringValue("t-ckpt").build())
        .containsEntry("reason", Value.newBuilder().setStringValue(reason).build())
        .containsEntry(
            "deadline", Value.newBuilder().setStringValue("2026-11-25T10:10:00.000Z").build())
        .containsEntry("attempt", Value.newBuilder().setNumberValue(1).build());
    assertThat(json(noticeFile("t-ckpt"))).isEqualTo(notice);
  }

  @Test
  void checkpointedLineIsNeitherLogNorProgress() {
    runner.start(
        "t-ctl",
        bash("trap 'stopping=1; echo before; echo \"##gpupool checkpointed\"; echo after' USR1; "
                + IDLE)
            .build(),
        List.of());
    awaitStdout("t-ctl", "ready");

    runner.preempt("t-ctl", "make room", Duration.ofMinutes(10));

    awaitEnded("t-ctl");
    assertThat(stdout("t-ctl")).startsWith("ready", "before").noneMatch(l -> l.contains("##"));
    assertThat(updatesOf("t-ctl")).noneMatch(TaskUpdate::hasProgress);
  }

  @Test
  void checkpointedLineWithoutNoticeIsDroppedOnStdoutAndOutputOnStderr() {
    runner.start(
        "t-early",
        bash("echo '##gpupool checkpointed'; echo '##gpupool checkpointed' >&2; echo after")
            .build(),
        List.of());

    TaskEnded ended = awaitEnded("t-early");
    assertThat(ended.getResult().getExitCode()).isZero();
    assertThat(ended.getPreempted()).isFalse();
    assertThat(stdout("t-early")).containsExactly("after");
    assertThat(stderr("t-early")).containsExactly("##gpupool checkpointed");
    assertThat(updatesOf("t-early")).noneMatch(TaskUpdate::hasProgress);
  }

  @Test
  void workloadIgnoringTheNoticeGetsSigtermAtTheDeadline() {
    runner.start("t-deaf", bash("trap 'echo notice' USR1; " + IDLE).build(), List.of());
    awaitStdout("t-deaf", "ready");
    long preemptedAt = System.nanoTime();

    runner.preempt("t-deaf", "make room", Duration.ofMillis(500));

    TaskEnded ended = awaitEnded("t-deaf");
    assertThat(Duration.ofNanos(System.nanoTime() - preemptedAt))
        .isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThat(stdout("t-deaf")).contains("notice");
    assertThat(ended.getResult().getExitCode()).isEqualTo(128 + 15);
    assertThat(ended.getPreempted()).isTrue();
    assertThat(ended.getCancelled()).isFalse();
    assertThat(ended.getResult().getMessage()).isEqualTo("preempted: make room");
  }

  @Test
  void workloadTrappingSigtermGetsSigkillAfterTheGracePeriod() {
    runner.start(
        "t-stubborn",
        bash("trap 'echo notice' USR1; trap '' TERM; " + IDLE)
            .setKillGracePeriod(Durations.fromMillis(300))
            .build(),
        List.of());
    awaitStdout("t-stubborn", "ready");
    long preemptedAt = System.nanoTime();

    runner.preempt("t-stubborn", "make room", Duration.ofMillis(500));

    TaskEnded ended = awaitEnded("t-stubborn");
    assertThat(Duration.ofNanos(System.nanoTime() - preemptedAt))
        .isGreaterThanOrEqualTo(Duration.ofMillis(800));
    assertThat(stdout("t-stubborn")).contains("notice");
    assertThat(ended.getResult().getExitCode()).isEqualTo(128 + 9);
    assertThat(ended.getPreempted()).isTrue();
    assertThat(ended.getResult().getMessage()).isEqualTo("preempted: make room");
  }

  @Test
  void workloadExitingByItselfAfterTheNoticeIsPreemptedWithItsExitCode() {
    runner.start("t-polite", bash("trap 'exit 0' USR1; " + IDLE).build(), List.of());
    awaitStdout("t-polite", "ready");

    runner.preempt("t-polite", "make room", Duration.ofMinutes(10));

    TaskEnded ended = awaitEnded("t-polite");
    assertThat(ended.getResult().getExitCode()).isZero();
    assertThat(ended.getPreempted()).isTrue();
    assertThat(ended.getResult().getMessage()).isEqualTo("preempted: make room");
  }

  @Test
  void cancelDuringTheNoticePeriodWins() {
    runner.start("t-both", bash("trap 'echo notice' USR1; " + IDLE).build(), List.of());
    awaitStdout("t-both", "ready");
    runner.preempt("t-both", "make room", Duration.ofMinutes(10));
    awaitStdout("t-both", "notice");

    assertThat(runner.cancel("t-both", Duration.ofSeconds(5))).isTrue();

    TaskEnded ended = awaitEnded("t-both");
    assertThat(ended.getCancelled()).isTrue();
    assertThat(ended.getPreempted()).isFalse();
    assertThat(ended.getResult().getMessage()).isEqualTo("cancelled");
  }

  @Test
  void preemptOfUnknownFinishedOrAlreadyPreemptedTaskIsIgnored() throws IOException {
    assertThat(runner.preempt("t-unknown", "make room", Duration.ZERO)).isFalse();
    runner.start("t-done", command("true").build(), List.of());
    awaitEnded("t-done");
    await().until(() -> runner.runningTaskIds().isEmpty());
    assertThat(runner.preempt("t-done", "make room", Duration.ZERO)).isFalse();
    assertThat(noticeFile("t-done")).doesNotExist();

    runner.start("t-twice", bash("trap 'echo notice' USR1; " + IDLE).build(), List.of());
    awaitStdout("t-twice", "ready");
    assertThat(runner.preempt("t-twice", "first", Duration.ofMinutes(10))).isTrue();
    assertThat(runner.preempt("t-twice", "second", Duration.ZERO)).isFalse();

    assertThat(json(noticeFile("t-twice")).getFieldsOrThrow("reason").getStringValue())
        .isEqualTo("first");
    runner.cancel("t-twice", Duration.ofSeconds(5));
    assertThat(awaitEnded("t-twice").getCancelled()).isTrue();
  }

  @Test
  void nextAttemptOfAPreemptedTaskRunsWithoutTheOldNotice() {
    StartTask first =
        StartTask.newBuilder()
            .setTaskId("t-again")
            .setSpec(bash("trap 'exit 0' USR1; " + IDLE))
            .setAttempt(1)
            .build();
    assertThat(runner.start(first)).isTrue();
    awaitStdout("t-again", "ready");
    runner.preempt("t-again", "make room", Duration.ofMinutes(10));
    assertThat(awaitEnded("t-again").getPreempted()).isTrue();
    await().until(() -> runner.runningTaskIds().isEmpty());
    assertThat(noticeFile("t-again")).exists();

    assertThat(runner.start(first)).as("a resent start").isFalse();
    assertThat(
            runner.start(
                first.toBuilder()
                    .setAttempt(2)
                    .setSpec(
                        bash(
                            "[ -e \"$GPUPOOL_NOTICE_FILE\" ] && echo stale || echo fresh;"
                                + " echo \"attempt $GPUPOOL_ATTEMPT\""))
                    .build()))
        .isTrue();

    await().until(() -> updatesOf("t-again").stream().filter(TaskUpdate::hasEnded).count() == 2);
    assertThat(stdout("t-again")).containsExactly("ready", "fresh", "attempt 2");
  }
}
