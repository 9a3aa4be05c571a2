package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.Placement;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskState;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ListCommandTest {
  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  private static Task task(
      String id,
      String name,
      TaskState state,
      int gpus,
      String node,
      long ageSeconds,
      String reason) {
    Task.Builder task =
        Task.newBuilder()
            .setId(id)
            .setSpec(
                TaskSpec.newBuilder()
                    .setName(name)
                    .setResources(Resources.newBuilder().setGpus(gpus)))
            .setState(state)
            .setReason(reason)
            .setCreateTime(TestEvents.at(-ageSeconds));
    if (!node.isEmpty()) {
      task.setPlacement(Placement.newBuilder().setNodeName(node).addDeviceIndices(0));
    }
    return task.build();
  }

  @Test
  void printsAnAlignedTable() {
    cli.scheduler.listing.add(
        task("t-1", "train-big-model", TaskState.TASK_STATE_RUNNING, 8, "node-a", 7200, "running"));
    cli.scheduler.listing.add(
        task("t-12", "eval", TaskState.TASK_STATE_PENDING, 1, "", 5, "waiting for 1 free GPU"));

    CliHarness.Result result = cli.run("list");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines())
        .containsExactly(
            "ID    NAME             STATE    GPUS  NODE    AGE  REASON",
            "t-1   train-big-model  RUNNING  8     node-a  2h   running",
            "t-12  eval             PENDING  1     -       5s   waiting for 1 free GPU");
  }

  @Test
  void passesStateFiltersGivenInEitherSpelling() {
    cli.scheduler.listing.add(task("t-1", "a", TaskState.TASK_STATE_RUNNING, 1, "n", 1, ""));
    cli.scheduler.listing.add(task("t-2", "b", TaskState.TASK_STATE_PENDING, 1, "", 1, ""));
    cli.scheduler.listing.add(task("t-3", "c", TaskState.TASK_STATE_FAILED, 1, "n", 1, ""));

    CliHarness.Result result =
        cli.run("list", "--state", "Running", "--state", "task_state_failed");

    assertThat(result.exitCode()).isZero();
    assertThat(cli.scheduler.listRequests)
        .extracting(ListTasksRequest::getStatesList)
        .containsExactly(List.of(TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_FAILED));
    assertThat(result.outLines()).hasSize(3);
    assertThat(result.out()).contains("t-1").contains("t-3").doesNotContain("t-2");
  }

  @Test
  void followsPageTokensUntilTheLimit() throws Exception {
    for (int i = 1; i <= 6; i++) {
      cli.scheduler.listing.add(task("t-" + i, "x", TaskState.TASK_STATE_PENDING, 1, "", 1, ""));
    }
    cli.scheduler.maxTasksPageSize = 2;

    CliHarness.Result result = cli.run("list", "--limit", "4", "-o", "json");

    assertThat(result.exitCode()).isZero();
    ListTasksResponse.Builder parsed = ListTasksResponse.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    assertThat(parsed.getTasksList())
        .extracting(Task::getId)
        .containsExactly("t-1", "t-2", "t-3", "t-4");
    assertThat(parsed.getNextPageToken()).isNotEmpty();
    assertThat(cli.scheduler.listRequests)
        .extracting(ListTasksRequest::getPageSize, ListTasksRequest::getPageToken)
        .containsExactly(tuple(4, ""), tuple(2, "2"));
  }

  @Test
  void readsEveryPageWhenUnderTheLimit() {
    for (int i = 1; i <= 250; i++) {
      cli.scheduler.listing.add(task("t-" + i, "x", TaskState.TASK_STATE_PENDING, 1, "", 1, ""));
    }
    cli.scheduler.maxTasksPageSize = 100;

    CliHarness.Result result = cli.run("list", "--limit", "1000");

    assertThat(result.outLines()).hasSize(251);
    assertThat(result.outLines()).last().asString().startsWith("t-250 ");
    assertThat(cli.scheduler.listRequests).hasSize(3);
    assertThat(result.err()).isEmpty();
  }

  @Test
  void saysOnStderrWhenTheLimitCutTheListing() {
    for (int i = 1; i <= 3; i++) {
      cli.scheduler.listing.add(task("t-" + i, "x", TaskState.TASK_STATE_PENDING, 1, "", 1, ""));
    }

    CliHarness.Result result = cli.run("list", "--limit", "2");

    assertThat(result.outLines()).hasSize(3);
    assertThat(result.err()).contains("--limit");
  }

  @Test
  void badStateIsAUsageErrorListingTheValidValues() {
    CliHarness.Result result = cli.run("list", "--state", "sleeping");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("--state")
        .contains("'sleeping'")
        .contains("pending, scheduled, running, succeeded, failed, cancelled");
    assertThat(cli.scheduler.listRequests).isEmpty();
  }

  @Test
  void unspecifiedIsNotAStateOneCanFilterOn() {
    CliHarness.Result result = cli.run("list", "--state", "unspecified");

    assertThat(result.exitCode()).isEqualTo(2);
  }
}
