package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.StateTransition;
import io.gpupool.client.Task;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** On a cluster with a single GPU, GPU tasks never share it. */
@Timeout(120)
class OneGpuClusterIT {
  @TempDir Path dir;

  @Test
  void twoOneGpuTasksRunOneAfterTheOtherNeverTogether() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, "1xT4-16GB")) {
      GpuPoolClient client = cluster.client();
      // Each task holds a lock directory while it runs; a second one running at the same time
      // would find it taken and fail with 99.
      String lock = cluster.workDir().resolve("gpu0.lock").toString();
      String script = "mkdir " + lock + " || exit 99; sleep 1; rmdir " + lock;
      TaskHandle first =
          client.submit(
              TaskSpec.builder().name("first").command("bash", "-c", script).gpus(1).build());
      TaskHandle second =
          client.submit(
              TaskSpec.builder().name("second").command("bash", "-c", script).gpus(1).build());

      assertThat(first.await(Duration.ofSeconds(60)).state()).isEqualTo(TaskState.SUCCEEDED);
      assertThat(second.await(Duration.ofSeconds(60)).state()).isEqualTo(TaskState.SUCCEEDED);

      Task a = client.getTask(first.id());
      Task b = client.getTask(second.id());
      assertThat(enteredAt(b, TaskState.SCHEDULED))
          .isAfterOrEqualTo(enteredAt(a, TaskState.SUCCEEDED));
      assertThat(a.placement().orElseThrow().deviceIndices()).containsExactly(0);
      assertThat(b.placement().orElseThrow().deviceIndices()).containsExactly(0);
    }
  }

  private static Instant enteredAt(Task task, TaskState state) {
    return task.transitions().stream()
        .filter(t -> t.state() == state)
        .map(StateTransition::time)
        .findFirst()
        .orElseThrow();
  }
}
