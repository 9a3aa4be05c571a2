package io.gpupool.it;

import static org.awaitility.Awaitility.await;

import io.gpupool.agent.Agent;
import io.gpupool.agent.AgentConfig;
import io.gpupool.agent.AgentStartException;
import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.NodeState;
import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerConfig;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A controller and agents on loopback, started in this JVM, closed in reverse order. The controller
 * runs with authentication on, as {@code gpupool controller} does; clients and stubs from here
 * present an admin token.
 */
final class TestCluster implements AutoCloseable {
  static final String JOIN_TOKEN = "it-join-token";

  private final Path dir;
  private final Controller controller;
  private final String adminToken;
  private final List<Agent> agents = new ArrayList<>();
  private final List<GpuPoolClient> clients = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  private TestCluster(Path dir, Controller controller) {
    this.dir = dir;
    this.controller = controller;
    // Made here rather than read from DATA_DIR/admin.token: a controller on a PostgreSQL store
    // that another test's controller bootstrapped writes no file.
    this.adminToken = controller.createToken(Role.ROLE_ADMIN, "", "integration test");
  }

  /** Starts a controller and one agent per simulate spec, and waits until all are connected. */
  static TestCluster start(Path dir, String... agentSpecs) throws IOException, AgentStartException {
    return start(dir, SchedulerConfig.getDefaultInstance(), agentSpecs);
  }

  /** The same, with a scheduler configuration. */
  static TestCluster start(Path dir, SchedulerConfig scheduler, String... agentSpecs)
      throws IOException, AgentStartException {
    return start(dir, controllerConfig(dir).scheduler(scheduler), agentSpecs);
  }

  /** The controller configuration tests start from: loopback, free port, H2 under {@code dir}. */
  static ControllerConfig.Builder controllerConfig(Path dir) {
    return ControllerConfig.builder()
        .host("127.0.0.1")
        .grpcPort(0)
        .httpPort(-1)
        .dataDir(dir.resolve("controller"))
        .joinToken(JOIN_TOKEN);
  }

  /** A cluster whose controller runs with {@code config}. */
  static TestCluster start(Path dir, ControllerConfig.Builder config, String... agentSpecs)
      throws IOException, AgentStartException {
    Controller controller = Controller.start(config.build());
    TestCluster cluster = new TestCluster(dir, controller);
    for (int i = 0; i < agentSpecs.length; i++) {
      cluster.startAgent("agent-" + i, agentSpecs[i]);
    }
    return cluster;
  }

  /** Starts an agent whose state lives in {@code dir/name}; waits until its node is ready. */
  Agent startAgent(String name, String simulate) throws AgentStartException {
    return startAgent(agentConfig(name, simulate));
  }

  /** Starts an agent from a configuration; waits until its node is ready. */
  Agent startAgent(AgentConfig.Builder config) throws AgentStartException {
    Agent agent = Agent.start(config.build());
    agents.add(agent);
    awaitReady(agent.nodeId());
    return agent;
  }

  AgentConfig.Builder agentConfig(String name, String simulate) {
    return AgentConfig.builder()
        .controllerTarget(target())
        .joinToken(JOIN_TOKEN)
        .stateDir(dir.resolve(name))
        .nodeName(name)
        .simulate(simulate)
        .heartbeatInterval(Duration.ofMillis(200));
  }

  void awaitReady(String nodeId) {
    GpuPoolClient client = client();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                client.listNodes().stream()
                    .anyMatch(n -> n.id().equals(nodeId) && n.state() == NodeState.READY));
  }

  void stopAgent(Agent agent) {
    agent.close();
    agents.remove(agent);
  }

  String target() {
    return "127.0.0.1:" + controller.grpcPort();
  }

  int port() {
    return controller.grpcPort();
  }

  /** The secret of an admin token of this cluster's controller. */
  String adminToken() {
    return adminToken;
  }

  GpuPoolClient client() {
    GpuPoolClient client = GpuPoolClient.builder().target(target()).token(adminToken).build();
    clients.add(client);
    return client;
  }

  /** The admin API, as an admin. */
  AdminServiceGrpc.AdminServiceBlockingStub admin() {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target()).usePlaintext().build();
    channels.add(channel);
    return AdminServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer()));
  }

  private Metadata bearer() {
    Metadata bearer = new Metadata();
    bearer.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + adminToken);
    return bearer;
  }

  /** The raw API, for what the SDK does not cover. */
  SchedulerServiceGrpc.SchedulerServiceBlockingStub api() {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target()).usePlaintext().build();
    channels.add(channel);
    return SchedulerServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer()));
  }

  Path workDir() throws IOException {
    return Files.createDirectories(dir.resolve("work"));
  }

  @Override
  public void close() {
    clients.forEach(GpuPoolClient::close);
    channels.forEach(ManagedChannel::shutdownNow);
    agents.forEach(Agent::close);
    controller.close();
  }
}
