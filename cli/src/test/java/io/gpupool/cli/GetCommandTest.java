package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.Placement;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class GetCommandTest {
  private static final Task DONE =
      Task.newBuilder()
          .setId("t-3")
          .setSpec(
              TaskSpec.newBuilder()
                  .setName("train")
                  .setResources(Resources.newBuilder().setGpus(2).setGpuModel("H100"))
                  .setCommand(CommandWorkload.newBuilder().addArgv("python").addArgv("train.py"))
                  .putLabels("team", "ml"))
          .setState(TaskState.TASK_STATE_SUCCEEDED)
          .setReason("exited 0")
          .setCreateTime(TestEvents.at(-300))
          .setStartTime(TestEvents.at(-240))
          .setEndTime(TestEvents.at(-60))
          .setPlacement(
              Placement.newBuilder()
                  .setNodeId("n-1")
                  .setNodeName("node-a")
                  .addDeviceIndices(2)
                  .addDeviceIndices(3)
                  .addDeviceUuids("GPU-2")
                  .addDeviceUuids("GPU-3"))
          .setResult(TaskResult.newBuilder().setExitCode(0).setMessage("ok"))
          .setProgress(Progress.newBuilder().setPercent(100).setStep(3).setTotalSteps(3))
          .addTransitions(
              StateTransition.newBuilder()
                  .setState(TaskState.TASK_STATE_PENDING)
                  .setReason("queued")
                  .setTime(TestEvents.at(-300)))
          .addTransitions(
              StateTransition.newBuilder()
                  .setState(TaskState.TASK_STATE_SUCCEEDED)
                  .setReason("exited 0")
                  .setTime(TestEvents.at(-60)))
          .setRequestId("r-9")
          .build();

  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
    cli.scheduler.put(DONE);
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  @Test
  void jsonPrintsTheTaskInProto3JsonThatParsesBack() throws Exception {
    CliHarness.Result result = cli.run("get", "t-3", "-o", "json");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("\"state\": \"TASK_STATE_SUCCEEDED\"");
    Task.Builder parsed = Task.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.build()).isEqualTo(DONE);
  }

  @Test
  void humanFormShowsStatePlacementTimesResultProgressAndTransitions() {
    CliHarness.Result result = cli.run("get", "t-3");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines())
        .containsExactly(
            "ID:          t-3",
            "Name:        train",
            "State:       SUCCEEDED (exited 0)",
            "Tenant:      default, priority 0",
            "GPUs:        2 (model H100)",
            "Node:        node-a gpus 2,3",
            "Command:     python train.py",
            "Created:     2026-11-03 11:55:00 (5m ago)",
            "Started:     2026-11-03 11:56:00 (4m ago)",
            "Ended:       2026-11-03 11:59:00 (1m ago)",
            "Result:      exit code 0: ok",
            "Progress:    100% step 3/3",
            "Request id:  r-9",
            "Labels:      team=ml",
            "Transitions:",
            "  2026-11-03 11:55:00  PENDING    queued",
            "  2026-11-03 11:59:00  SUCCEEDED  exited 0");
  }

  @Test
  void pendingTaskShowsDashesForWhatDidNotHappenYet() {
    cli.scheduler.put(
        Task.newBuilder()
            .setId("t-4")
            .setState(TaskState.TASK_STATE_PENDING)
            .setReason("waiting for 8 free GPUs")
            .setSpec(TaskSpec.newBuilder().setResources(Resources.newBuilder().setGpus(8)))
            .build());

    CliHarness.Result result = cli.run("get", "t-4");

    assertThat(result.outLines())
        .contains(
            "State:    PENDING (waiting for 8 free GPUs)",
            "Node:     -",
            "Started:  -",
            "Ended:    -");
  }

  @Test
  void showsSchedulingDetailsExpectedStartAndEta() {
    cli.scheduler.put(
        Task.newBuilder()
            .setId("t-8")
            .setState(TaskState.TASK_STATE_PENDING)
            .setReason("next in line")
            .setSpec(
                io.gpupool.proto.v1.TaskSpec.newBuilder()
                    .setTenant("research")
                    .setPriority(10)
                    .setPreemptible(true))
            .setGang(
                io.gpupool.proto.v1.GangMembership.newBuilder().setId("t-7").setRank(1).setSize(4))
            .setAttempt(2)
            .setExpectedStartTime(TestEvents.at(600))
            .setExpectedEndTime(TestEvents.at(7200))
            .build());

    CliHarness.Result result = cli.run("get", "t-8");

    assertThat(result.outLines())
        .contains(
            "Tenant:          research, priority 10, preemptible",
            "Gang:            t-7 (rank 1 of 4)",
            "Attempt:         2",
            "Expected start:  2026-11-03 12:10:00 (in 10m)",
            "ETA:             2026-11-03 14:00:00 (in 2h)");
  }
}
