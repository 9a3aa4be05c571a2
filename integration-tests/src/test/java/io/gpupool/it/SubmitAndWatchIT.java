package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.Task;
import io.gpupool.client.TaskEvent;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskResult;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The SDK against a real controller and two agents with simulated GPUs. */
@Timeout(120)
class SubmitAndWatchIT {
  @TempDir static Path dir;
  private static TestCluster cluster;
  private static GpuPoolClient client;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start(dir, "2xH100-80GB", "2xA100-80GB");
    client = cluster.client();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void aTaskRunsToSuccessAndItsProgressAndLogLinesStreamTyped() {
    TaskHandle handle =
        client.submit(
            TaskSpec.builder()
                .name("hello")
                .command(
                    "bash",
                    "-c",
                    "echo gpus=$CUDA_VISIBLE_DEVICES task=$GPUPOOL_TASK_ID;"
                        + " for i in 1 2 3; do echo \"##gpupool progress=$((i*33)) step=$i/3 loss=0.5 step $i\"; done;"
                        + " echo to-stderr >&2")
                .gpus(1)
                .build());

    List<TaskEvent> events = new ArrayList<>();
    handle.events().forEachRemaining(events::add);

    List<String> logs =
        events.stream()
            .filter(e -> e instanceof TaskEvent.LogLine)
            .map(e -> ((TaskEvent.LogLine) e).text())
            .toList();
    assertThat(logs).contains("gpus=0 task=" + handle.id(), "to-stderr");
    List<TaskEvent.ProgressReported> progress =
        events.stream()
            .filter(e -> e instanceof TaskEvent.ProgressReported)
            .map(e -> (TaskEvent.ProgressReported) e)
            .toList();
    assertThat(progress).hasSize(3);
    assertThat(progress.get(2).progress().percent()).hasValue(99.0);
    assertThat(progress.get(2).progress().step()).hasValue(3);
    assertThat(progress.get(2).progress().totalSteps()).hasValue(3);
    assertThat(progress.get(2).progress().metrics()).containsEntry("loss", 0.5);
    assertThat(progress.get(2).progress().message()).isEqualTo("step 3");
    assertThat(
            events.stream()
                .filter(e -> e instanceof TaskEvent.StateChanged)
                .map(e -> ((TaskEvent.StateChanged) e).state()))
        .containsExactly(
            TaskState.PENDING, TaskState.SCHEDULED, TaskState.RUNNING, TaskState.SUCCEEDED);
    assertThat(events).extracting(TaskEvent::sequence).isSorted().doesNotHaveDuplicates();

    TaskResult result = handle.await(Duration.ofSeconds(10));
    assertThat(result.state()).isEqualTo(TaskState.SUCCEEDED);
    assertThat(result.exitCode()).hasValue(0);
  }

  @Test
  void aFailingTaskEndsFailedWithItsExitCode() {
    TaskHandle handle =
        client.submit(
            TaskSpec.builder().name("fails").command("bash", "-c", "exit 7").gpus(1).build());

    TaskResult result = handle.await(Duration.ofSeconds(30));

    assertThat(result.state()).isEqualTo(TaskState.FAILED);
    assertThat(result.exitCode()).hasValue(7);
    assertThat(client.getTask(handle.id()).reason()).isEqualTo("exited with code 7");
  }

  @Test
  void aProgramThatDoesNotExistFailsWithoutAnExitCode() {
    TaskHandle handle =
        client.submit(TaskSpec.builder().command("/no/such/program").gpus(1).build());

    TaskResult result = handle.await(Duration.ofSeconds(30));

    assertThat(result.state()).isEqualTo(TaskState.FAILED);
    assertThat(result.exitCode()).isEmpty();
    assertThat(result.message()).contains("exec failed");
  }

  @Test
  void cancellingARunningTaskKillsItsWholeProcessTree() throws Exception {
    Path pidFile = cluster.workDir().resolve("cancel-child.pid");
    TaskHandle handle =
        client.submit(
            TaskSpec.builder()
                .name("sleeper")
                .command("bash", "-c", "sleep 600 & echo $! > " + pidFile + "; wait")
                .gpus(1)
                .killGracePeriod(Duration.ofSeconds(2))
                .build());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
    long childPid = Long.parseLong(Files.readString(pidFile).trim());
    assertThat(ProcessHandle.of(childPid).map(ProcessHandle::isAlive)).contains(true);

    handle.cancel();
    TaskResult result = handle.await(Duration.ofSeconds(30));

    assertThat(result.state()).isEqualTo(TaskState.CANCELLED);
    assertThat(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void aTaskLargerThanEveryNodeStaysPendingAndSaysWhy() {
    TaskHandle handle = client.submit(TaskSpec.builder().command("true").gpus(16).build());

    Task task = handle.get();

    assertThat(task.state()).isEqualTo(TaskState.PENDING);
    assertThat(task.reason())
        .isEqualTo("no node has 16 GPUs (the largest has 2); waiting for a node that does");
    handle.cancel();
    assertThat(handle.await(Duration.ofSeconds(10)).state()).isEqualTo(TaskState.CANCELLED);
  }

  @Test
  void tasksAskingForAModelLandOnThatModel() {
    TaskHandle handle =
        client.submit(TaskSpec.builder().command("true").gpus(2).gpuModel("A100").build());

    assertThat(handle.await(Duration.ofSeconds(30)).state()).isEqualTo(TaskState.SUCCEEDED);
    assertThat(client.getTask(handle.id()).placement().orElseThrow().nodeName())
        .isEqualTo("agent-1");
  }
}
