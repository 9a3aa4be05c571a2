package io.gpupool.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Durations;
import io.gpupool.controller.testing.SecuredController;
import io.gpupool.proto.v1.CreateTokenRequest;
import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.RevokeTokenRequest;
import io.gpupool.proto.v1.Role;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Agents join with the static join token or an agent token, which can expire and be revoked. */
@Timeout(60)
class AgentJoinTest {
  @TempDir Path dir;
  private SecuredController cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = SecuredController.start(dir.resolve("data"), c -> c);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void anAgentTokenJoinsANode() {
    cluster.register("n1", cluster.token(Role.ROLE_AGENT, ""));
    cluster.register("n2", SecuredController.JOIN_TOKEN);

    assertThat(nodes()).containsExactly("n1", "n2");
  }

  @Test
  void aRevokedAgentTokenIsRefusedAndTheNodeNeverAppears() {
    String token = cluster.token(Role.ROLE_AGENT, "");
    cluster
        .admin(cluster.adminSecret)
        .revokeToken(
            RevokeTokenRequest.newBuilder().setId(TokenSecrets.idOf(token).orElseThrow()).build());

    assertRefused(() -> cluster.register("n1", token), "was revoked");
    assertThat(nodes()).isEmpty();
  }

  @Test
  void anExpiredAgentTokenIsRefusedAndTheNodeNeverAppears() {
    String token =
        cluster
            .admin(cluster.adminSecret)
            .createToken(
                CreateTokenRequest.newBuilder()
                    .setRole(Role.ROLE_AGENT)
                    .setTtl(Durations.fromMinutes(10))
                    .build())
            .getSecret();
    cluster.clock.advance(Duration.ofMinutes(10));

    assertRefused(() -> cluster.register("n1", token), "expired at");
    assertThat(nodes()).isEmpty();
  }

  @Test
  void aWrongTokenOrATokenOfAnotherRoleIsRefused() {
    assertRefused(
        () -> cluster.register("n1", "not-it"),
        "join token refused: give the agent the controller's --join-token, or an agent token");
    assertRefused(
        () -> cluster.register("n1", cluster.token(Role.ROLE_USER, "team-a")),
        "has role user; agents join with the controller's --join-token or a token of role agent");
    assertRefused(() -> cluster.register("n1", cluster.adminSecret), "has role admin");
    assertThat(nodes()).isEmpty();
  }

  private List<String> nodes() {
    return cluster
        .scheduler(cluster.adminSecret)
        .listNodes(ListNodesRequest.getDefaultInstance())
        .getNodesList()
        .stream()
        .map(Node::getId)
        .toList();
  }

  private static void assertRefused(Runnable register, String message) {
    assertThatThrownBy(register::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
  }
}
