package io.gpupool.controller.auth;

import static io.grpc.Status.Code.FAILED_PRECONDITION;
import static io.grpc.Status.Code.OK;
import static io.grpc.Status.Code.PERMISSION_DENIED;
import static io.grpc.Status.Code.UNAUTHENTICATED;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import io.gpupool.controller.testing.BearerToken;
import io.gpupool.controller.testing.SecuredController;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.CancelTaskRequest;
import io.gpupool.proto.v1.ClearGpuQuarantineRequest;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.CordonNodeRequest;
import io.gpupool.proto.v1.CreateTokenRequest;
import io.gpupool.proto.v1.GetIdentityRequest;
import io.gpupool.proto.v1.GetSchedulerConfigRequest;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.GetUsageRequest;
import io.gpupool.proto.v1.ListAuditEventsRequest;
import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.ListTaskEventsRequest;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTokensRequest;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.RevokeTokenRequest;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.WatchTaskRequest;
import io.gpupool.proto.v1.WatchTaskResponse;
import io.grpc.CallCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every RPC of the three gpupool services, called by every kind of caller against a controller with
 * authentication on: the status each gets is the one the table below says. Calls the table allows
 * are made valid (a task, a node and tokens exist for them), so that they answer OK unless the row
 * says otherwise.
 */
@Timeout(120)
class AccessTableTest {
  /** Who calls. */
  enum Caller {
    ADMIN,
    USER,
    VIEWER,
    AGENT,
    NO_TOKEN,
    REVOKED,
    EXPIRED
  }

  /** One RPC made by one caller; returns the status it got. */
  @FunctionalInterface
  interface Rpc {
    Status.Code call(CallCredentials credentials) throws Exception;
  }

  /**
   * The expected status of each RPC (rows) for each caller (columns): OK; DENIED is
   * PERMISSION_DENIED; UNAUTH is UNAUTHENTICATED; PRECOND is FAILED_PRECONDITION (the GPU is not
   * quarantined, so the admin's clear gets that far). Agents authenticate inside the request (join
   * token, node credential): a bearer token, valid or not, changes nothing for them.
   */
  private static final String EXPECTED =
      """
      RPC                                 ADMIN    USER    VIEWER  AGENT   NO_TOKEN REVOKED EXPIRED
      SchedulerService/SubmitTask         OK       OK      DENIED  DENIED  UNAUTH   UNAUTH  UNAUTH
      SchedulerService/GetTask            OK       OK      OK      DENIED  UNAUTH   UNAUTH  UNAUTH
      SchedulerService/ListTasks          OK       OK      OK      DENIED  UNAUTH   UNAUTH  UNAUTH
      SchedulerService/CancelTask         OK       OK      DENIED  DENIED  UNAUTH   UNAUTH  UNAUTH
      SchedulerService/WatchTask          OK       OK      OK      DENIED  UNAUTH   UNAUTH  UNAUTH
      SchedulerService/ListTaskEvents     OK       OK      OK      DENIED  UNAUTH   UNAUTH  UNAUTH
      SchedulerService/ListNodes          OK       OK      OK      DENIED  UNAUTH   UNAUTH  UNAUTH
      SchedulerService/CordonNode         OK       DENIED  DENIED  DENIED  UNAUTH   UNAUTH  UNAUTH
      SchedulerService/ClearGpuQuarantine PRECOND  DENIED  DENIED  DENIED  UNAUTH   UNAUTH  UNAUTH
      SchedulerService/GetSchedulerConfig OK       OK      OK      DENIED  UNAUTH   UNAUTH  UNAUTH
      SchedulerService/GetUsage           OK       OK      OK      DENIED  UNAUTH   UNAUTH  UNAUTH
      AdminService/CreateToken            OK       DENIED  DENIED  DENIED  UNAUTH   UNAUTH  UNAUTH
      AdminService/ListTokens             OK       DENIED  DENIED  DENIED  UNAUTH   UNAUTH  UNAUTH
      AdminService/RevokeToken            OK       DENIED  DENIED  DENIED  UNAUTH   UNAUTH  UNAUTH
      AdminService/GetIdentity            OK       OK      OK      OK      UNAUTH   UNAUTH  UNAUTH
      AdminService/ListAuditEvents        OK       DENIED  DENIED  DENIED  UNAUTH   UNAUTH  UNAUTH
      AgentService/Register               OK       OK      OK      OK      OK       OK      OK
      AgentService/Connect                UNAUTH   UNAUTH  UNAUTH  UNAUTH  UNAUTH   UNAUTH  UNAUTH
      """;

  /** How each RPC of the table is made, valid apart from who makes it. */
  private static final Map<String, Rpc> CALLS =
      Map.ofEntries(
          Map.entry("SchedulerService/SubmitTask", AccessTableTest::submit),
          Map.entry("SchedulerService/GetTask", AccessTableTest::getTask),
          Map.entry("SchedulerService/ListTasks", AccessTableTest::listTasks),
          Map.entry("SchedulerService/CancelTask", AccessTableTest::cancelTask),
          Map.entry("SchedulerService/WatchTask", AccessTableTest::watchTask),
          Map.entry("SchedulerService/ListTaskEvents", AccessTableTest::listTaskEvents),
          Map.entry("SchedulerService/ListNodes", AccessTableTest::listNodes),
          Map.entry("SchedulerService/CordonNode", AccessTableTest::cordonNode),
          Map.entry("SchedulerService/ClearGpuQuarantine", AccessTableTest::clearQuarantine),
          Map.entry("SchedulerService/GetSchedulerConfig", AccessTableTest::schedulerConfig),
          Map.entry("SchedulerService/GetUsage", AccessTableTest::usage),
          Map.entry("AdminService/CreateToken", AccessTableTest::createToken),
          Map.entry("AdminService/ListTokens", AccessTableTest::listTokens),
          Map.entry("AdminService/RevokeToken", AccessTableTest::revokeToken),
          Map.entry("AdminService/GetIdentity", AccessTableTest::identity),
          Map.entry("AdminService/ListAuditEvents", AccessTableTest::auditEvents),
          Map.entry("AgentService/Register", AccessTableTest::register),
          Map.entry("AgentService/Connect", AccessTableTest::connectWithAWrongCredential));

  private static final Map<String, Status.Code> ABBREVIATIONS =
      Map.of(
          "OK", OK,
          "DENIED", PERMISSION_DENIED,
          "UNAUTH", UNAUTHENTICATED,
          "PRECOND", FAILED_PRECONDITION);

  @TempDir static Path dir;
  private static SecuredController cluster;
  private static final Map<Caller, CallCredentials> credentials = new LinkedHashMap<>();
  private static String teamTask;
  private static String endedTask;

  @BeforeAll
  static void start() throws Exception {
    cluster = SecuredController.start(dir.resolve("data"), config -> config.rateLimit(0));
    credentials.put(Caller.ADMIN, BearerToken.of(cluster.adminSecret));
    credentials.put(Caller.USER, BearerToken.of(cluster.token(Role.ROLE_USER, "team-a")));
    credentials.put(Caller.VIEWER, BearerToken.of(cluster.token(Role.ROLE_VIEWER, "team-a")));
    credentials.put(Caller.AGENT, BearerToken.of(cluster.token(Role.ROLE_AGENT, "")));
    credentials.put(Caller.NO_TOKEN, null);
    String revoked = cluster.token(Role.ROLE_USER, "team-a");
    cluster
        .admin(cluster.adminSecret)
        .revokeToken(
            RevokeTokenRequest.newBuilder().setId(TokenSecrets.idOf(revoked).get()).build());
    credentials.put(Caller.REVOKED, BearerToken.of(revoked));
    String expiring =
        cluster
            .admin(cluster.adminSecret)
            .createToken(
                CreateTokenRequest.newBuilder()
                    .setRole(Role.ROLE_ADMIN)
                    .setTtl(Durations.fromHours(1))
                    .build())
            .getSecret();
    cluster.clock.advance(Duration.ofHours(2));
    credentials.put(Caller.EXPIRED, BearerToken.of(expiring));

    cluster.register("n1", SecuredController.JOIN_TOKEN);
    teamTask = cluster.submitFor("team-a").getId();
    endedTask = cluster.submitFor("team-a").getId();
    cluster
        .scheduler(cluster.adminSecret)
        .cancelTask(CancelTaskRequest.newBuilder().setId(endedTask).build());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Stream<Arguments> table() {
    List<String> lines = EXPECTED.strip().lines().toList();
    List<String> callers = List.of(lines.get(0).split("\\s+")).subList(1, 8);
    assertThat(callers)
        .containsExactly(Arrays.stream(Caller.values()).map(Enum::name).toArray(String[]::new));
    return lines.stream()
        .skip(1)
        .map(line -> line.split("\\s+"))
        .flatMap(
            cells ->
                Arrays.stream(Caller.values())
                    .map(
                        caller ->
                            Arguments.of(
                                cells[0], caller, ABBREVIATIONS.get(cells[1 + caller.ordinal()]))));
  }

  @ParameterizedTest(name = "{0} as {1}: {2}")
  @MethodSource("table")
  void everyRpcAnswersEveryCallerAsTheTableSays(String rpc, Caller caller, Status.Code expected)
      throws Exception {
    assertThat(expected).as("a known status in the table").isNotNull();

    Status.Code got = CALLS.get(rpc).call(credentials.get(caller));

    assertThat(got).isEqualTo(expected);
  }

  @Test
  void theTableAndTheAccessPolicyCoverEveryRpcOfTheThreeServices() {
    List<ServiceDescriptor> services =
        List.of(
            SchedulerServiceGrpc.getServiceDescriptor(),
            AdminServiceGrpc.getServiceDescriptor(),
            AgentServiceGrpc.getServiceDescriptor());
    for (ServiceDescriptor service : services) {
      for (MethodDescriptor<?, ?> method : service.getMethods()) {
        String name = method.getFullMethodName();
        String row = name.substring("gpupool.v1.".length());
        assertThat(EXPECTED.lines().map(line -> line.strip().split("\\s+")[0]))
            .as("a row of this test's table for " + name)
            .contains(row);
        assertThat(CALLS).as("a call of this test for " + name).containsKey(row);
        assertThat(AccessPolicy.gpupool().rule(name))
            .as("a rule of the access policy for " + name)
            .hasValueSatisfying(
                rule -> assertThat(rule.check()).isNotEqualTo(AccessPolicy.Check.OPEN));
      }
    }
  }

  @Test
  void healthAndReflectionStayOpenAndUnknownMethodsAreClosed() {
    assertThat(AccessPolicy.gpupool().rule("grpc.health.v1.Health/Check"))
        .hasValueSatisfying(r -> assertThat(r.check()).isEqualTo(AccessPolicy.Check.OPEN));
    assertThat(
            AccessPolicy.gpupool().rule("grpc.reflection.v1.ServerReflection/ServerReflectionInfo"))
        .hasValueSatisfying(r -> assertThat(r.check()).isEqualTo(AccessPolicy.Check.OPEN));
    assertThat(AccessPolicy.gpupool().rule("gpupool.v1.SchedulerService/DropTables")).isEmpty();
  }

  private static SchedulerServiceGrpc.SchedulerServiceBlockingStub scheduler(CallCredentials c) {
    return SchedulerServiceGrpc.newBlockingStub(cluster.channel()).withCallCredentials(c);
  }

  private static AdminServiceGrpc.AdminServiceBlockingStub admin(CallCredentials c) {
    return AdminServiceGrpc.newBlockingStub(cluster.channel()).withCallCredentials(c);
  }

  /** OK, or the code the call failed with. */
  private static Status.Code status(Runnable call) {
    try {
      call.run();
      return OK;
    } catch (RuntimeException e) {
      return Status.fromThrowable(e).getCode();
    }
  }

  private static Status.Code submit(CallCredentials c) {
    return status(
        () ->
            scheduler(c)
                .submitTask(SubmitTaskRequest.newBuilder().setSpec(TestSpecs.gpuTask(1)).build()));
  }

  private static Status.Code getTask(CallCredentials c) {
    return status(() -> scheduler(c).getTask(GetTaskRequest.newBuilder().setId(teamTask).build()));
  }

  private static Status.Code listTasks(CallCredentials c) {
    return status(() -> scheduler(c).listTasks(ListTasksRequest.getDefaultInstance()));
  }

  private static Status.Code cancelTask(CallCredentials c) {
    String fresh = cluster.submitFor("team-a").getId();
    return status(
        () -> scheduler(c).cancelTask(CancelTaskRequest.newBuilder().setId(fresh).build()));
  }

  private static Status.Code watchTask(CallCredentials c) {
    return status(
        () -> {
          Iterator<WatchTaskResponse> events =
              scheduler(c).watchTask(WatchTaskRequest.newBuilder().setId(endedTask).build());
          events.forEachRemaining(e -> {}); // the stream ends after the task's terminal state
        });
  }

  private static Status.Code listTaskEvents(CallCredentials c) {
    return status(
        () ->
            scheduler(c)
                .listTaskEvents(ListTaskEventsRequest.newBuilder().setId(teamTask).build()));
  }

  private static Status.Code listNodes(CallCredentials c) {
    return status(() -> scheduler(c).listNodes(ListNodesRequest.getDefaultInstance()));
  }

  private static Status.Code cordonNode(CallCredentials c) {
    return status(
        () -> scheduler(c).cordonNode(CordonNodeRequest.newBuilder().setNode("n1").build()));
  }

  private static Status.Code clearQuarantine(CallCredentials c) {
    return status(
        () ->
            scheduler(c)
                .clearGpuQuarantine(
                    ClearGpuQuarantineRequest.newBuilder()
                        .setNode("n1")
                        .setDeviceIndex(0)
                        .build()));
  }

  private static Status.Code schedulerConfig(CallCredentials c) {
    return status(
        () -> scheduler(c).getSchedulerConfig(GetSchedulerConfigRequest.getDefaultInstance()));
  }

  private static Status.Code usage(CallCredentials c) {
    return status(
        () ->
            scheduler(c)
                .getUsage(
                    GetUsageRequest.newBuilder()
                        .setSince(com.google.protobuf.Timestamp.newBuilder().setSeconds(1))
                        .build()));
  }

  private static Status.Code createToken(CallCredentials c) {
    return status(
        () ->
            admin(c)
                .createToken(
                    CreateTokenRequest.newBuilder()
                        .setRole(Role.ROLE_VIEWER)
                        .setTenant("team-b")
                        .build()));
  }

  private static Status.Code listTokens(CallCredentials c) {
    return status(() -> admin(c).listTokens(ListTokensRequest.getDefaultInstance()));
  }

  private static Status.Code revokeToken(CallCredentials c) {
    String fresh = TokenSecrets.idOf(cluster.token(Role.ROLE_VIEWER, "team-b")).orElseThrow();
    return status(() -> admin(c).revokeToken(RevokeTokenRequest.newBuilder().setId(fresh).build()));
  }

  private static Status.Code identity(CallCredentials c) {
    return status(() -> admin(c).getIdentity(GetIdentityRequest.getDefaultInstance()));
  }

  private static Status.Code auditEvents(CallCredentials c) {
    return status(() -> admin(c).listAuditEvents(ListAuditEventsRequest.getDefaultInstance()));
  }

  private static Status.Code register(CallCredentials c) {
    return status(
        () ->
            AgentServiceGrpc.newBlockingStub(cluster.channel())
                .withCallCredentials(c)
                .register(
                    RegisterRequest.newBuilder()
                        .setJoinToken(SecuredController.JOIN_TOKEN)
                        .setNodeId("n2")
                        .setNodeName("n2")
                        .build()));
  }

  private static Status.Code connectWithAWrongCredential(CallCredentials c) throws Exception {
    CompletableFuture<Status.Code> ended = new CompletableFuture<>();
    StreamObserver<ConnectRequest> up =
        AgentServiceGrpc.newStub(cluster.channel())
            .withCallCredentials(c)
            .connect(
                new StreamObserver<ConnectResponse>() {
                  @Override
                  public void onNext(ConnectResponse value) {}

                  @Override
                  public void onError(Throwable t) {
                    ended.complete(Status.fromThrowable(t).getCode());
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(OK);
                  }
                });
    up.onNext(
        ConnectRequest.newBuilder()
            .setHello(
                AgentHello.newBuilder()
                    .setNodeId("n1")
                    .setNodeCredential("not-the-credential")
                    .setInstanceId("i-1"))
            .build());
    try {
      return ended.get(30, TimeUnit.SECONDS);
    } finally {
      up.onCompleted();
    }
  }
}
