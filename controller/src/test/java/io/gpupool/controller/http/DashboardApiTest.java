package io.gpupool.controller.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.controller.testing.SecuredController;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.ListTaskEventsRequest;
import io.gpupool.proto.v1.ListTaskEventsResponse;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.Task;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's JSON API on a controller with authentication on. */
@Timeout(60)
class DashboardApiTest {
  private static final JsonFormat.Printer PROTO_JSON =
      JsonFormat.printer().omittingInsignificantWhitespace();

  @TempDir Path dir;
  private SecuredController cluster;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    cluster = SecuredController.start(dir.resolve("data"), config -> config.httpPort(0));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + cluster.controller.httpPort() + path))
            .timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyEndpointIs401WithoutAValidTokenAndNeverEchoesTheSecret() throws Exception {
    String id = cluster.submitFor("alpha").getId();
    for (String path :
        new String[] {
          "/api/v1/summary",
          "/api/v1/nodes",
          "/api/v1/tasks",
          "/api/v1/tasks/" + id,
          "/api/v1/tasks/" + id + "/events"
        }) {
      assertThat(get(path, null).statusCode()).as(path).isEqualTo(401);
      HttpResponse<String> wrong = get(path, "gp_wrong-secret-123");
      assertThat(wrong.statusCode()).as(path).isEqualTo(401);
      assertThat(wrong.body()).contains("\"error\"").doesNotContain("wrong-secret-123");
    }
  }

  @Test
  void anAgentTokenIsForbidden() throws Exception {
    String agent = cluster.token(Role.ROLE_AGENT, "");
    assertThat(get("/api/v1/nodes", agent).statusCode()).isEqualTo(403);
  }

  @Test
  void theStaticPageIsServedWithoutAToken() throws Exception {
    HttpResponse<String> page = get("/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("<script src=\"/app.js\">");
    assertThat(get("/app.js", null).statusCode()).isEqualTo(200);
    assertThat(get("/style.css", null).statusCode()).isEqualTo(200);
    assertThat(get("/nothing-here", null).statusCode()).isEqualTo(404);
  }

  @Test
  void usersAndViewersSeeOnlyTheirTenantsTasks() throws Exception {
    Task alpha = cluster.submitFor("alpha");
    Task beta = cluster.submitFor("beta");
    String viewer = cluster.token(Role.ROLE_VIEWER, "alpha");
    String user = cluster.token(Role.ROLE_USER, "alpha");

    for (String token : new String[] {viewer, user}) {
      ListTasksResponse.Builder tasks = ListTasksResponse.newBuilder();
      JsonFormat.parser().merge(get("/api/v1/tasks", token).body(), tasks);
      assertThat(tasks.getTasksList()).extracting(Task::getId).containsExactly(alpha.getId());
      assertThat(get("/api/v1/tasks/" + beta.getId(), token).statusCode()).isEqualTo(404);
      assertThat(get("/api/v1/tasks/" + beta.getId() + "/events", token).statusCode())
          .isEqualTo(404);
      assertThat(get("/api/v1/tasks/" + alpha.getId(), token).statusCode()).isEqualTo(200);
      assertThat(get("/api/v1/summary", token).body()).contains("\"pendingTasks\":1.0");
    }
    ListTasksResponse.Builder all = ListTasksResponse.newBuilder();
    JsonFormat.parser().merge(get("/api/v1/tasks", cluster.adminSecret).body(), all);
    assertThat(all.getTasksList())
        .extracting(Task::getId)
        .containsExactly(alpha.getId(), beta.getId());
  }

  @Test
  void theJsonIsTheProtoJsonOfTheGrpcAnswers() throws Exception {
    String admin = cluster.adminSecret;
    Task task = cluster.submitFor("alpha");
    cluster.register("node-a", SecuredController.JOIN_TOKEN);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get("/api/v1/nodes", admin).body().contains("NVIDIA H100 80GB"));

    Task viaGrpc =
        cluster
            .scheduler(admin)
            .getTask(GetTaskRequest.newBuilder().setId(task.getId()).build())
            .getTask();
    assertThat(get("/api/v1/tasks/" + task.getId(), admin).body())
        .isEqualTo(PROTO_JSON.print(viaGrpc));

    ListNodesResponse nodes =
        cluster.scheduler(admin).listNodes(ListNodesRequest.getDefaultInstance());
    assertThat(get("/api/v1/nodes", admin).body()).isEqualTo(PROTO_JSON.print(nodes));

    ListTaskEventsResponse events =
        cluster
            .scheduler(admin)
            .listTaskEvents(ListTaskEventsRequest.newBuilder().setId(task.getId()).build());
    assertThat(get("/api/v1/tasks/" + task.getId() + "/events", admin).body())
        .isEqualTo(PROTO_JSON.print(events.toBuilder().clearNextPageToken()));

    assertThat(get("/api/v1/tasks?state=running", admin).body()).isEqualTo("{}");
    assertThat(get("/api/v1/tasks?state=pending", admin).body()).contains(task.getId());
    assertThat(get("/api/v1/summary", admin).body())
        .contains("\"gpusTotal\":1.0", "\"gpusUsed\":0.0", "\"pendingTasks\":1.0");
  }

  @Test
  void badParametersAre400AndWritesAre405() throws Exception {
    String admin = cluster.adminSecret;
    assertThat(get("/api/v1/tasks?state=sleeping", admin).statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/tasks?limit=0", admin).statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/nope", admin).statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + cluster.controller.httpPort() + "/api/v1/tasks"))
                .header("Authorization", "Bearer " + admin)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }
}
