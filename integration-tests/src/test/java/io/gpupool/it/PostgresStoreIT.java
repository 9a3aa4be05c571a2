package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller on PostgreSQL (--store): tasks run, and a new controller on the same database knows
 * them and keeps submits idempotent. Needs GPUPOOL_TEST_POSTGRES_URL (CI starts PostgreSQL).
 */
@Timeout(120)
class PostgresStoreIT {
  @TempDir Path dir;

  @Test
  void aControllerOnPostgresqlKeepsItsTasksAcrossARestart() throws Exception {
    String url = TestPostgres.freshSchemaUrl();
    String id;
    try (TestCluster cluster =
        TestCluster.start(
            dir, TestCluster.controllerConfig(dir).store(url, null, null), "1xH100-80GB")) {
      GpuPoolClient client = cluster.client();
      TaskHandle handle =
          client.submit(
              TaskSpec.builder()
                  .name("on-postgres")
                  .command("true")
                  .gpus(1)
                  .requestId("pg-1")
                  .build());
      assertThat(handle.await(Duration.ofSeconds(60)).state()).isEqualTo(TaskState.SUCCEEDED);
      id = handle.id();
    }

    try (TestCluster again =
        TestCluster.start(
            dir.resolve("again"),
            TestCluster.controllerConfig(dir.resolve("again")).store(url, null, null))) {
      GpuPoolClient client = again.client();
      assertThat(client.getTask(id).state()).isEqualTo(TaskState.SUCCEEDED);
      TaskHandle same =
          client.submit(
              TaskSpec.builder()
                  .name("on-postgres")
                  .command("true")
                  .gpus(1)
                  .requestId("pg-1")
                  .build());
      assertThat(same.id()).isEqualTo(id);
    }
  }
}
