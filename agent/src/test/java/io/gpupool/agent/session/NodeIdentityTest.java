package io.gpupool.agent.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class NodeIdentityTest {

  @TempDir Path root;

  @Test
  void createsTheStateDirAndStoresANewUuid() throws IOException {
    Path stateDir = root.resolve("a/b");

    String nodeId = NodeIdentity.loadOrCreate(stateDir);

    assertThat(UUID.fromString(nodeId)).hasToString(nodeId);
    assertThat(Files.readString(stateDir.resolve(NodeIdentity.FILE_NAME)).trim()).isEqualTo(nodeId);
    try (var files = Files.list(stateDir)) {
      assertThat(files).containsExactly(stateDir.resolve(NodeIdentity.FILE_NAME));
    }
  }

  @Test
  void reusesTheStoredId() throws IOException {
    String first = NodeIdentity.loadOrCreate(root);

    assertThat(NodeIdentity.loadOrCreate(root)).isEqualTo(first);
    assertThat(NodeIdentity.loadOrCreate(root.resolve("other"))).isNotEqualTo(first);
  }

  @Test
  void refusesAFileThatHoldsNoUuid() throws IOException {
    Files.writeString(root.resolve(NodeIdentity.FILE_NAME), "garbage");

    assertThatThrownBy(() -> NodeIdentity.loadOrCreate(root))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(root.resolve(NodeIdentity.FILE_NAME).toString())
        .hasMessageContaining("remove it");
  }
}
