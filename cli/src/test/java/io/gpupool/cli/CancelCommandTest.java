package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CancelCommandTest {
  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  @Test
  void saysCancelledWhenThePendingTaskIsGone() {
    cli.scheduler.put(
        Task.newBuilder().setId("t-3").setState(TaskState.TASK_STATE_CANCELLED).build());

    CliHarness.Result result = cli.run("cancel", "t-3");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines()).containsExactly("t-3 CANCELLED");
  }

  @Test
  void saysCancelRequestedWhileTheWorkloadIsStopping() {
    cli.scheduler.put(
        Task.newBuilder()
            .setId("t-3")
            .setState(TaskState.TASK_STATE_RUNNING)
            .setCancelRequested(true)
            .build());

    CliHarness.Result result = cli.run("cancel", "t-3");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines()).containsExactly("t-3 cancel requested (RUNNING)");
  }

  @Test
  void jsonPrintsTheTask() throws Exception {
    Task task =
        Task.newBuilder()
            .setId("t-3")
            .setState(TaskState.TASK_STATE_RUNNING)
            .setCancelRequested(true)
            .build();
    cli.scheduler.put(task);

    CliHarness.Result result = cli.run("cancel", "t-3", "-o", "json");

    Task.Builder parsed = Task.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.build()).isEqualTo(task);
    assertThat(result.out()).contains("\"cancelRequested\": true");
  }
}
