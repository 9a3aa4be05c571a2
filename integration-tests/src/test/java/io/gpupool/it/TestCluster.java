package io.gpupool.it;

import static org.awaitility.Awaitility.await;

import io.gpupool.agent.Agent;
import io.gpupool.agent.AgentConfig;
import io.gpupool.agent.AgentStartException;
import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.GpuPoolClientBuilder;
import io.gpupool.client.NodeState;
import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.controller.testing.TestCertificates;
import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerConfig;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
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

  /**
   * How the cluster's clients and agents reach a controller that serves TLS.
   *
   * @param ca the CA file they trust
   * @param certificate the client certificate they present (mutual TLS), or null
   */
  record ClientTls(Path ca, TestCertificates.CertificateFiles certificate) {}

  private final Path dir;
  private final Controller controller;
  private final ClientTls tls; // null: plaintext
  private final String adminToken;
  private final List<Agent> agents = new ArrayList<>();
  private final List<GpuPoolClient> clients = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  private TestCluster(Path dir, Controller controller, ClientTls tls) {
    this.dir = dir;
    this.controller = controller;
    this.tls = tls;
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

  /**
   * The controller configuration tests start from: loopback, free port, H2 under {@code dir},
   * plaintext.
   */
  static ControllerConfig.Builder controllerConfig(Path dir) {
    return ControllerConfig.builder()
        .host("127.0.0.1")
        .grpcPort(0)
        .httpPort(-1)
        .dataDir(dir.resolve("controller"))
        .joinToken(JOIN_TOKEN)
        .insecure(true);
  }

  /** A cluster whose controller runs with {@code config}. */
  static TestCluster start(Path dir, ControllerConfig.Builder config, String... agentSpecs)
      throws IOException, AgentStartException {
    return start(dir, config, null, agentSpecs);
  }

  /**
   * A cluster whose controller runs with {@code config}, reached by its clients and agents with
   * {@code tls} (null for plaintext).
   */
  static TestCluster start(
      Path dir, ControllerConfig.Builder config, ClientTls tls, String... agentSpecs)
      throws IOException, AgentStartException {
    Controller controller = Controller.start(config.build());
    TestCluster cluster = new TestCluster(dir, controller, tls);
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
    AgentConfig.Builder config =
        AgentConfig.builder()
            .controllerTarget(target())
            .joinToken(JOIN_TOKEN)
            .stateDir(dir.resolve(name))
            .nodeName(name)
            .simulate(simulate)
            .heartbeatInterval(Duration.ofMillis(200));
    if (tls != null) {
      config.tlsCa(tls.ca());
      if (tls.certificate() != null) {
        config.tlsCert(tls.certificate().certificate()).tlsKey(tls.certificate().privateKey());
      }
    }
    return config;
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
    GpuPoolClientBuilder builder = GpuPoolClient.builder().target(target()).token(adminToken);
    if (tls != null) {
      builder.tls(tls.ca());
      if (tls.certificate() != null) {
        builder.tlsClientCertificate(
            tls.certificate().certificate(), tls.certificate().privateKey());
      }
    }
    GpuPoolClient client = builder.build();
    clients.add(client);
    return client;
  }

  /** The admin API, as an admin. */
  AdminServiceGrpc.AdminServiceBlockingStub admin() {
    return AdminServiceGrpc.newBlockingStub(channel())
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
    return SchedulerServiceGrpc.newBlockingStub(channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer()));
  }

  /** A channel to the controller, with the cluster's TLS settings; closed with the cluster. */
  private ManagedChannel channel() {
    ChannelCredentials credentials = InsecureChannelCredentials.create();
    if (tls != null) {
      try {
        TlsChannelCredentials.Builder builder =
            TlsChannelCredentials.newBuilder().trustManager(tls.ca().toFile());
        if (tls.certificate() != null) {
          builder.keyManager(
              tls.certificate().certificate().toFile(), tls.certificate().privateKey().toFile());
        }
        credentials = builder.build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    ManagedChannel channel = Grpc.newChannelBuilder(target(), credentials).build();
    channels.add(channel);
    return channel;
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
