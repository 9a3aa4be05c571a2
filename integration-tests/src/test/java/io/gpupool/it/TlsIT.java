package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.Agent;
import io.gpupool.agent.AgentConfig;
import io.gpupool.client.ErrorCode;
import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.GpuPoolException;
import io.gpupool.client.Node;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskState;
import io.gpupool.controller.testing.TestCertificates;
import io.gpupool.controller.testing.TestCertificates.CertificateFiles;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.RegisterRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the gRPC port end to end: controller, agents, SDK and CLI with certificates made at test
 * time by a throwaway CA.
 */
@Timeout(240)
class TlsIT {
  @TempDir static Path certs;
  @TempDir Path dir;

  private static TestCertificates ca;
  private static TestCertificates otherCa;
  private static CertificateFiles server;
  private static CertificateFiles serverByIpOnly;
  private static CertificateFiles agentCertificate;

  @BeforeAll
  static void makeCertificates() throws Exception {
    ca = TestCertificates.newCa(certs.resolve("ca"), "test-ca");
    otherCa = TestCertificates.newCa(certs.resolve("other"), "other-ca");
    server = ca.issue("server", "DNS:localhost", "IP:127.0.0.1");
    serverByIpOnly = ca.issue("server-ip-only", "IP:127.0.0.1");
    agentCertificate = ca.issue("agent-1");
  }

  private TestCluster tlsCluster(CertificateFiles serverCertificate, TestCluster.ClientTls tls)
      throws Exception {
    return TestCluster.start(
        dir,
        TestCluster.controllerConfig(dir)
            .insecure(false)
            .tls(serverCertificate.certificate(), serverCertificate.privateKey()),
        tls);
  }

  @Test
  void aTaskSubmittedThroughTheSdkOverTlsRunsOnAnAgentProcessThatTrustsTheCa() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(dir.resolve("processes"))) {
      int port = ProcessCluster.freePort();
      String address = "localhost:" + port;
      cluster.tlsController("controller", port, server).start();
      cluster
          .agent("agent", address, "1xH100-80GB", "--tls-ca", ca.caCertificate().toString())
          .start();
      String id;
      String token =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(cluster::adminToken, java.util.Optional::isPresent)
              .get();
      try (GpuPoolClient client =
          GpuPoolClient.builder()
              .target(address)
              .tls(ca.caCertificate())
              .token(token)
              .callTimeout(Duration.ofSeconds(60))
              .maxRetries(200)
              .initialBackoff(Duration.ofMillis(100))
              .maxBackoff(Duration.ofMillis(500))
              .build()) {
        cluster.awaitReady(client, Duration.ofSeconds(90), "agent");
        TaskHandle task =
            client.submit(TaskSpec.builder().name("over-tls").command("true").gpus(1).build());
        id = task.id();
        assertThat(task.await(Duration.ofSeconds(60)).state()).isEqualTo(TaskState.SUCCEEDED);
      }

      ExternalCommand.Result get =
          ExternalCommand.run(
              ExternalCommand.of(
                  ExternalCommand.repoRoot().resolve("bin/gpupool"),
                  "get",
                  id,
                  "--controller",
                  address,
                  "--tls-ca",
                  ca.caCertificate(),
                  "--token",
                  token),
              120);
      assertThat(get.exitCode()).as(get.stderr()).isZero();
      assertThat(get.stdout()).contains("SUCCEEDED");
    }
  }

  @Test
  void anSdkClientTrustingAnotherCaFailsWithTheReasonAndTheOptionToCheck() throws Exception {
    try (TestCluster cluster =
            tlsCluster(server, new TestCluster.ClientTls(ca.caCertificate(), null));
        GpuPoolClient stranger =
            GpuPoolClient.builder()
                .target(cluster.target())
                .tls(otherCa.caCertificate())
                .maxRetries(0)
                .build()) {
      assertThat(cluster.client().listNodes()).isEmpty();

      assertThatThrownBy(stranger::listNodes)
          .isInstanceOfSatisfying(
              GpuPoolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
          .hasMessage(
              "TLS handshake with "
                  + cluster.target()
                  + " failed: unable to find valid certification path to requested target; check"
                  + " the CA certificates given to tls(caFile)");
    }
  }

  @Test
  void withMutualTlsAnAgentWithACertificateRegistersAndOneWithoutIsRefused() throws Exception {
    TestCluster.ClientTls mutual = new TestCluster.ClientTls(ca.caCertificate(), agentCertificate);
    ExecutorService starter = Executors.newSingleThreadExecutor();
    try (TestCluster cluster =
        TestCluster.start(
            dir,
            TestCluster.controllerConfig(dir)
                .insecure(false)
                .tls(server.certificate(), server.privateKey())
                .tlsClientCa(ca.caCertificate()),
            mutual)) {
      cluster.startAgent("with-certificate", "1xH100-80GB");
      AgentConfig withoutCertificate =
          cluster
              .agentConfig("without-certificate", "1xH100-80GB")
              .tlsCert(null)
              .tlsKey(null)
              .build();

      ManagedChannel channel =
          withoutCertificate.channelFactory().apply(withoutCertificate.controllerTarget());
      try {
        assertThatThrownBy(
                () ->
                    AgentServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .register(RegisterRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                  assertThat(e.getStatus().getDescription())
                      .startsWith(
                          "TLS handshake with "
                              + cluster.target()
                              + " failed: the controller refused this agent's certificate, or its"
                              + " lack of one (")
                      .endsWith(
                          "); it requires one signed by its --tls-client-ca: pass --tls-cert and"
                              + " --tls-key");
                });
      } finally {
        channel.shutdownNow();
      }

      // The agent itself keeps retrying, and its node never appears.
      Future<Agent> refused = starter.submit(() -> Agent.start(withoutCertificate));
      GpuPoolClient client = cluster.client();
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  !refused.isDone()
                      && client.listNodes().stream()
                          .map(Node::name)
                          .collect(Collectors.toSet())
                          .equals(Set.of("with-certificate")));
      starter.shutdownNow();
      await().atMost(Duration.ofSeconds(20)).until(refused::isDone);
    } finally {
      starter.shutdownNow();
    }
  }

  @Test
  void aListOfControllersIsCheckedAgainstTheFirstNameListed() throws Exception {
    int nothing = ProcessCluster.freePort();
    try (TestCluster cluster =
        tlsCluster(server, new TestCluster.ClientTls(ca.caCertificate(), null))) {
      // The certificate names localhost and 127.0.0.1: the client reaches the second controller
      // listed and checks its certificate against the first name.
      try (GpuPoolClient client =
          listClient("localhost:" + nothing + "," + cluster.target(), cluster.adminToken())) {
        assertThat(client.listNodes()).isEmpty();
      }
    }
    try (TestCluster cluster =
        tlsCluster(serverByIpOnly, new TestCluster.ClientTls(ca.caCertificate(), null))) {
      try (GpuPoolClient client =
          listClient("localhost:" + nothing + "," + cluster.target(), cluster.adminToken())) {
        assertThatThrownBy(client::listNodes)
            .hasMessageContaining("failed: No name matching localhost found; check");
      }
    }
  }

  @Test
  void bufCurlCallsTheControllerOverTlsThroughReflectionWithTheCa() throws Exception {
    Path buf = ExternalCommand.buf();
    try (TestCluster cluster =
        tlsCluster(server, new TestCluster.ClientTls(ca.caCertificate(), null))) {
      ExternalCommand.Result listed =
          ExternalCommand.run(
              ExternalCommand.of(
                  buf,
                  "curl",
                  "--protocol",
                  "grpc",
                  "--cacert",
                  ca.caCertificate(),
                  "-H",
                  "authorization: Bearer " + cluster.adminToken(),
                  "-d",
                  "{}",
                  "https://localhost:" + cluster.port() + "/gpupool.v1.SchedulerService/ListNodes"),
              60);

      assertThat(listed.exitCode()).as(listed.stderr()).isZero();
      assertThat(listed.stdout()).isEqualTo("{}\n");
    }
  }

  private static GpuPoolClient listClient(String target, String token) {
    return GpuPoolClient.builder()
        .target(target)
        .token(token)
        .tls(ca.caCertificate())
        .maxRetries(0)
        .callTimeout(Duration.ofSeconds(20))
        .build();
  }
}
