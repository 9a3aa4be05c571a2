package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.GetTaskResponse;
import io.gpupool.proto.v1.SubmitTaskResponse;
import io.gpupool.proto.v1.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The API ad hoc, as a user pokes it with buf curl through server reflection. */
@Timeout(120)
class BufCurlIT {
  @TempDir static Path dir;
  private static TestCluster cluster;
  private static Path buf;

  @BeforeAll
  static void startCluster() throws Exception {
    buf = ExternalCommand.buf();
    cluster = TestCluster.start(dir, "1xH100-80GB");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void submitAndGetThroughReflection() throws Exception {
    ExternalCommand.Result submitted =
        curl(
            "SubmitTask",
            "{\"spec\":{\"name\":\"adhoc\",\"command\":{\"argv\":[\"true\"]},\"resources\":{\"gpus\":1}}}");
    assertThat(submitted.exitCode()).as(submitted.stderr()).isZero();
    SubmitTaskResponse.Builder response = SubmitTaskResponse.newBuilder();
    JsonFormat.parser().merge(submitted.stdout(), response);
    String id = response.getTask().getId();
    assertThat(id).startsWith("t-");
    assertThat(response.getTask().getState()).isNotEqualTo(TaskState.TASK_STATE_UNSPECIFIED);

    cluster.client().task(id).await(Duration.ofSeconds(30));
    ExternalCommand.Result got = curl("GetTask", "{\"id\":\"" + id + "\"}");
    assertThat(got.exitCode()).as(got.stderr()).isZero();
    assertThat(got.stdout()).contains("\"state\": \"TASK_STATE_SUCCEEDED\"");
    GetTaskResponse.Builder task = GetTaskResponse.newBuilder();
    JsonFormat.parser().merge(got.stdout(), task);
    assertThat(task.getTask().getSpec().getName()).isEqualTo("adhoc");
  }

  @Test
  void badInputIsInvalidArgumentNamingTheFields() throws Exception {
    ExternalCommand.Result result =
        curl(
            "SubmitTask",
            "{\"spec\":{\"name\":\"bad\",\"command\":{\"argv\":[]},\"resources\":{\"gpus\":-2}}}");

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("invalid_argument")
        .contains("spec.command.argv: must not be empty")
        .contains("spec.resources.gpus: must be at least 1, got -2")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }

  @Test
  void unknownIdsAreNotFound() throws Exception {
    ExternalCommand.Result get = curl("GetTask", "{\"id\":\"t-999999\"}");
    ExternalCommand.Result cancel = curl("CancelTask", "{\"id\":\"t-999999\"}");

    assertThat(get.stderr()).contains("not_found").contains("task t-999999 not found");
    assertThat(cancel.stderr()).contains("not_found");
  }

  @Test
  void withoutATokenACallIsUnauthenticatedSayingHowToAuthenticate() throws Exception {
    ExternalCommand.Result result =
        ExternalCommand.run(
            ExternalCommand.of(
                buf,
                "curl",
                "--protocol",
                "grpc",
                "--http2-prior-knowledge",
                "-d",
                "{}",
                "http://127.0.0.1:" + cluster.port() + "/gpupool.v1.SchedulerService/ListNodes"),
            60);

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr())
        .contains("unauthenticated")
        .contains("authorization: Bearer")
        .doesNotContain("\tat ");
  }

  @Test
  void listNodesShowsTheSimulatedGpus() throws Exception {
    ExternalCommand.Result nodes = curl("ListNodes", "{}");

    assertThat(nodes.exitCode()).as(nodes.stderr()).isZero();
    assertThat(nodes.stdout()).contains("NVIDIA H100 80GB").contains("NODE_STATE_READY");
  }

  private static ExternalCommand.Result curl(String method, String json) throws Exception {
    return ExternalCommand.run(
        ExternalCommand.of(
            buf,
            "curl",
            "--protocol",
            "grpc",
            "--http2-prior-knowledge",
            "-H",
            "Authorization: Bearer " + cluster.adminToken(),
            "-d",
            json,
            "http://127.0.0.1:" + cluster.port() + "/gpupool.v1.SchedulerService/" + method),
        60);
  }
}
