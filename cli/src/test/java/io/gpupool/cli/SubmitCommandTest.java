package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.Placement;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.SubmitTaskResponse;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskState;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SubmitCommandTest {
  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
    cli.scheduler.submitted =
        Task.newBuilder()
            .setId("t-7")
            .setState(TaskState.TASK_STATE_PENDING)
            .setPlacement(
                Placement.newBuilder()
                    .setNodeName("node-a")
                    .addDeviceIndices(0)
                    .addDeviceIndices(1))
            .build();
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  @Test
  void sendsEveryOptionAndTheArgvAfterDoubleDashAndPrintsTheIdFirst() {
    CliHarness.Result result =
        cli.run(
            "submit",
            "--gpus",
            "2",
            "--gpu-model",
            "H100",
            "--name",
            "train",
            "--env",
            "A=1",
            "--env",
            "B=x=y",
            "--workdir",
            "/data",
            "--max-runtime",
            "1h30m",
            "--kill-grace",
            "500ms",
            "--label",
            "team=ml",
            "--request-id",
            "r-1",
            "--",
            "python",
            "train.py",
            "--epochs",
            "3");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines()).containsExactly("t-7");
    assertThat(cli.scheduler.submits)
        .containsExactly(
            SubmitTaskRequest.newBuilder()
                .setRequestId("r-1")
                .setSpec(
                    TaskSpec.newBuilder()
                        .setName("train")
                        .setResources(Resources.newBuilder().setGpus(2).setGpuModel("H100"))
                        .setCommand(
                            CommandWorkload.newBuilder()
                                .addAllArgv(List.of("python", "train.py", "--epochs", "3"))
                                .putEnv("A", "1")
                                .putEnv("B", "x=y")
                                .setWorkingDir("/data"))
                        .setMaxRuntime(Duration.newBuilder().setSeconds(5400))
                        .setKillGracePeriod(Duration.newBuilder().setNanos(500_000_000))
                        .putLabels("team", "ml"))
                .build());
  }

  @Test
  void defaultsToOneGpuAndLeavesUnsetFieldsUnset() {
    CliHarness.Result result = cli.run("submit", "--", "nvidia-smi");

    assertThat(result.exitCode()).isZero();
    assertThat(cli.scheduler.submits)
        .containsExactly(
            SubmitTaskRequest.newBuilder()
                .setSpec(
                    TaskSpec.newBuilder()
                        .setResources(Resources.newBuilder().setGpus(1))
                        .setCommand(CommandWorkload.newBuilder().addArgv("nvidia-smi")))
                .build());
  }

  @Test
  void optionsAfterTheFirstArgumentBelongToTheWorkload() {
    CliHarness.Result result = cli.run("submit", "--gpus", "2", "python", "-u", "--gpus", "3");

    assertThat(result.exitCode()).isZero();
    assertThat(cli.scheduler.submits.get(0).getSpec().getCommand().getArgvList())
        .containsExactly("python", "-u", "--gpus", "3");
    assertThat(cli.scheduler.submits.get(0).getSpec().getResources().getGpus()).isEqualTo(2);
  }

  @Test
  void talksToTheControllerGivenWithTheOption() {
    cli.run("submit", "--controller", "gpu-head:7171", "--", "true");

    assertThat(cli.targets).containsExactly("gpu-head:7171");
  }

  @Test
  void watchPrintsStatesProgressAndLogsLiveAndExitsWithTheFailedTasksExitCode() {
    TestEvents events = new TestEvents("t-7");
    cli.scheduler.events.put(
        "t-7",
        List.of(
            events.state(0, TaskState.TASK_STATE_PENDING, "waiting for 2 free GPUs"),
            events.state(1, TaskState.TASK_STATE_SCHEDULED, "placed"),
            events.state(2, TaskState.TASK_STATE_RUNNING, "started"),
            events.progress(
                3,
                Progress.newBuilder()
                    .setPercent(33.3333)
                    .setStep(1)
                    .setTotalSteps(3)
                    .putMetrics("loss", 0.31)
                    .setMessage("warming up")),
            events.stdout("epoch 1 done"),
            events.stderr("warning: slow disk"),
            events.ended(
                5,
                TaskState.TASK_STATE_FAILED,
                "workload failed",
                TaskResult.newBuilder().setExitCode(3).setMessage("exited").build())));

    CliHarness.Result result = cli.run("submit", "--watch", "--", "python", "train.py");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.outLines())
        .containsExactly(
            "t-7",
            "12:00:00 PENDING waiting for 2 free GPUs",
            "12:00:01 SCHEDULED placed",
            "12:00:02 RUNNING started",
            "12:00:03 progress 33.3% step 1/3 loss=0.31 warming up",
            "epoch 1 done",
            "12:00:05 FAILED workload failed");
    assertThat(result.err()).isEqualTo("warning: slow disk" + System.lineSeparator());
    assertThat(cli.scheduler.watchRequests).hasSize(1);
    assertThat(cli.scheduler.watchRequests.get(0).getId()).isEqualTo("t-7");
    assertThat(cli.scheduler.watchRequests.get(0).getAfterSequence()).isZero();
  }

  @Test
  void watchExitsZeroWhenTheTaskSucceeds() {
    TestEvents events = new TestEvents("t-7");
    cli.scheduler.events.put(
        "t-7",
        List.of(
            events.state(0, TaskState.TASK_STATE_RUNNING, "started"),
            events.ended(
                1,
                TaskState.TASK_STATE_SUCCEEDED,
                "done",
                TaskResult.newBuilder().setExitCode(0).build())));

    CliHarness.Result result = cli.run("submit", "--watch", "--", "true");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines()).last().isEqualTo("12:00:01 SUCCEEDED done");
  }

  @Test
  void watchExitsOneWhenTheTaskEndsWithoutAnExitCode() {
    TestEvents events = new TestEvents("t-7");
    cli.scheduler.events.put(
        "t-7",
        List.of(
            events.state(0, TaskState.TASK_STATE_PENDING, "waiting"),
            events.state(1, TaskState.TASK_STATE_CANCELLED, "cancelled by user")));

    CliHarness.Result result = cli.run("submit", "--watch", "--", "true");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.outLines()).last().isEqualTo("12:00:01 CANCELLED cancelled by user");
  }

  @Test
  void watchThatEndsBeforeTheTaskDoesFailsWithAHint() {
    cli.scheduler.events.put(
        "t-7", List.of(new TestEvents("t-7").state(0, TaskState.TASK_STATE_RUNNING, "started")));
    cli.scheduler.put(
        cli.scheduler.submitted.toBuilder().setState(TaskState.TASK_STATE_RUNNING).build());

    CliHarness.Result result = cli.run("submit", "--watch", "--", "true");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "error: the controller ended the watch of t-7 while it is RUNNING; run 'gpupool logs"
                + " -f t-7' to keep following it"
                + System.lineSeparator());
  }

  @Test
  void watchThatEndsWithoutTheTerminalEventTakesTheOutcomeFromTheTask() {
    cli.scheduler.put(
        cli.scheduler.submitted.toBuilder()
            .setState(TaskState.TASK_STATE_FAILED)
            .setResult(TaskResult.newBuilder().setExitCode(42))
            .build());

    CliHarness.Result result = cli.run("submit", "--watch", "--", "true");

    assertThat(result.exitCode()).isEqualTo(42);
  }

  @Test
  void jsonPrintsTheSubmitResponse() throws Exception {
    CliHarness.Result result = cli.run("submit", "-o", "json", "--", "true");

    assertThat(result.exitCode()).isZero();
    SubmitTaskResponse.Builder parsed = SubmitTaskResponse.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.build().getTask()).isEqualTo(cli.scheduler.submitted);
  }

  @Test
  void jsonWatchPrintsTheResponseThenOneEventPerLine() throws Exception {
    TestEvents events = new TestEvents("t-7");
    List<TaskEvent> history =
        List.of(
            events.state(0, TaskState.TASK_STATE_RUNNING, "started"),
            events.stdout("hello"),
            events.ended(
                1,
                TaskState.TASK_STATE_SUCCEEDED,
                "done",
                TaskResult.newBuilder().setExitCode(0).build()));
    cli.scheduler.events.put("t-7", history);

    CliHarness.Result result = cli.run("submit", "--watch", "-o", "json", "--", "true");

    assertThat(result.exitCode()).isZero();
    List<String> lines = result.outLines();
    assertThat(lines).hasSize(4);
    SubmitTaskResponse.Builder response = SubmitTaskResponse.newBuilder();
    JsonFormat.parser().merge(lines.get(0), response);
    assertThat(response.getTask().getId()).isEqualTo("t-7");
    for (int i = 0; i < history.size(); i++) {
      TaskEvent.Builder event = TaskEvent.newBuilder();
      JsonFormat.parser().merge(lines.get(i + 1), event);
      assertThat(event.build()).isEqualTo(history.get(i));
    }
  }

  @Test
  void badDurationIsAUsageErrorNamingTheOption() {
    CliHarness.Result result = cli.run("submit", "--max-runtime", "5x", "--", "true");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--max-runtime").contains("'5x'").contains("90s");
    assertThat(result.out()).isEmpty();
    assertThat(cli.scheduler.submits).isEmpty();
  }

  @Test
  void zeroGpusIsAUsageErrorNamingTheOption() {
    CliHarness.Result result = cli.run("submit", "--gpus", "0", "--", "true");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--gpus must be at least 1");
    assertThat(cli.scheduler.submits).isEmpty();
  }

  @Test
  void missingCommandIsAUsageError() {
    CliHarness.Result result = cli.run("submit", "--gpus", "1");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("ARGV");
    assertThat(cli.scheduler.submits).isEmpty();
  }
}
