package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.agent.Agent;
import io.gpupool.agent.AgentStartException;
import io.gpupool.client.Gpu;
import io.gpupool.client.Node;
import io.gpupool.proto.v1.CreateTokenRequest;
import io.gpupool.proto.v1.CreateTokenResponse;
import io.gpupool.proto.v1.RevokeTokenRequest;
import io.gpupool.proto.v1.Role;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Agents register themselves, keep their identity across restarts, and need the join token. */
@Timeout(120)
class AgentIdentityIT {
  @TempDir Path dir;

  @Test
  void anAgentRegistersItselfAndKeepsItsNodeIdAcrossRestarts() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir)) {
      Agent first = cluster.startAgent("gpu-box", "8xA100-80GB");
      String nodeId = first.nodeId();
      List<Node> nodes = cluster.client().listNodes();
      assertThat(nodes)
          .singleElement()
          .satisfies(
              node -> {
                assertThat(node.id()).isEqualTo(nodeId);
                assertThat(node.name()).isEqualTo("gpu-box");
                assertThat(node.gpus()).hasSize(8);
                assertThat(node.gpus()).extracting(Gpu::model).allMatch(m -> m.contains("A100"));
              });

      cluster.stopAgent(first);
      Agent again = cluster.startAgent("gpu-box", "8xA100-80GB");

      assertThat(again.nodeId()).isEqualTo(nodeId);
      assertThat(cluster.client().listNodes()).extracting(Node::id).containsExactly(nodeId);
    }
  }

  @Test
  void anAgentTokenJoinsANodeAndOnceRevokedJoinsNoMore() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir)) {
      CreateTokenResponse agentToken =
          cluster
              .admin()
              .createToken(CreateTokenRequest.newBuilder().setRole(Role.ROLE_AGENT).build());

      Agent joined =
          cluster.startAgent(
              cluster.agentConfig("with-token", "1xH100-80GB").joinToken(agentToken.getSecret()));
      cluster
          .admin()
          .revokeToken(
              RevokeTokenRequest.newBuilder().setId(agentToken.getToken().getId()).build());

      assertThatThrownBy(
              () ->
                  Agent.start(
                      cluster
                          .agentConfig("too-late", "1xH100-80GB")
                          .joinToken(agentToken.getSecret())
                          .build()))
          .isInstanceOf(AgentStartException.class)
          .hasMessageContaining("was revoked");
      assertThat(cluster.client().listNodes())
          .extracting(Node::id)
          .containsExactly(joined.nodeId());
    }
  }

  @Test
  void anAgentWithAWrongJoinTokenIsRefusedAndNeverAppears() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir)) {
      assertThatThrownBy(
              () ->
                  Agent.start(
                      cluster.agentConfig("intruder", "1xH100-80GB").joinToken("wrong").build()))
          .isInstanceOf(AgentStartException.class)
          .hasMessageContaining("join token");

      assertThat(cluster.client().listNodes()).isEmpty();
    }
  }
}
