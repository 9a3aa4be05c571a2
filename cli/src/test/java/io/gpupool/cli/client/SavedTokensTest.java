package io.gpupool.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SavedTokensTest {
  @TempDir Path dir;

  @Test
  void aSavedTokenIsReadableByTheOwnerOnlyAndFoundUnderAnyLoopbackName() throws Exception {
    SavedTokens saved = SavedTokens.in(dir.resolve("gpupool/tokens"));

    Path file = saved.save("127.0.0.1:7070", "gpt_0123456789abcdef_secret");

    assertThat(file).hasFileName("localhost_7070");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(saved.find("localhost:7070")).contains("gpt_0123456789abcdef_secret");
    assertThat(saved.find("[::1]:7070")).contains("gpt_0123456789abcdef_secret");
    assertThat(saved.find("localhost:7071")).isEmpty();
    assertThat(saved.find("gpu-box:7070")).isEmpty();
  }

  @Test
  void forgettingDeletesOnlyTheSameToken() throws Exception {
    SavedTokens saved = SavedTokens.in(dir);
    saved.save("localhost:7070", "new");

    saved.forget("localhost:7070", "old");
    assertThat(saved.find("localhost:7070")).contains("new");
    saved.forget("localhost:7070", "new");
    assertThat(saved.find("localhost:7070")).isEmpty();
  }

  @Test
  void theDirectoryFollowsXdgConfigHomeThenHome() {
    assertThat(SavedTokens.forUser(Map.of("XDG_CONFIG_HOME", "/x"), "/home/u").file("h:1"))
        .contains(Path.of("/x/gpupool/tokens/h_1"));
    assertThat(SavedTokens.forUser(Map.of(), "/home/u").file("h:1"))
        .contains(Path.of("/home/u/.config/gpupool/tokens/h_1"));
    assertThat(SavedTokens.none().find("localhost:7070")).isEmpty();
    assertThat(SavedTokens.key("a:1,b:2")).isEqualTo("a_1_b_2");
  }
}
