package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which user a workload runs as, for a root agent and for one that is not, on a given passwd. */
@Timeout(60)
class WorkloadUsersTest {

  private static final WorkloadUser ROOT = new WorkloadUser("root", 0, 0, Path.of("/root"));
  private static final WorkloadUser ALICE =
      new WorkloadUser("alice", 1000, 1000, Path.of("/home/alice"));

  @TempDir Path dir;
  private PasswdLookup users;

  @BeforeEach
  void setUp() throws IOException {
    Path passwd = dir.resolve("passwd");
    Files.writeString(
        passwd,
        String.join(
            "\n",
            "root:x:0:0:root:/root:/bin/bash",
            "# a comment",
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
            "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash",
            "broken:x:notanumber:1:::",
            "1234:x:2000:2000:a user named like a uid:/home/n:/bin/sh",
            ""));
    users = new PasswdLookup(passwd, Optional.empty());
  }

  @Test
  void withoutRunAsWorkloadsRunAsTheAgentsOwnUser() {
    assertThat(new WorkloadUsers(ROOT, users).resolve(null)).isEqualTo(ROOT);
    assertThat(new WorkloadUsers(ALICE, users).resolve(null)).isEqualTo(ALICE);
  }

  @Test
  void aRootAgentRunsWorkloadsAsAnyUserByNameOrUid() {
    WorkloadUsers root = new WorkloadUsers(ROOT, users);

    WorkloadUser nobody = root.resolve("nobody");
    assertThat(nobody).isEqualTo(new WorkloadUser("nobody", 65534, 65534, Path.of("/nonexistent")));
    assertThat(root.isSwitch(nobody)).isTrue();
    assertThat(root.resolve("1000").name()).isEqualTo("alice");
    assertThat(root.resolve("1234").uid()).as("a name wins over a uid").isEqualTo(2000);
    assertThat(root.isSwitch(root.resolve("root"))).isFalse();
  }

  @Test
  void anAgentThatIsNotRootRunsWorkloadsOnlyAsItself() {
    WorkloadUsers alice = new WorkloadUsers(ALICE, users);

    assertThat(alice.resolve("alice")).isEqualTo(ALICE);
    assertThat(alice.isSwitch(alice.resolve("alice"))).isFalse();
    assertThatThrownBy(() -> alice.resolve("nobody"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alice (uid 1000), not as root")
        .hasMessageContaining("nobody")
        .hasMessageContaining("--run-as");
  }

  @Test
  void anUnknownOrMalformedUserIsRefusedNamingIt() {
    WorkloadUsers root = new WorkloadUsers(ROOT, users);

    assertThatThrownBy(() -> root.resolve("no-such-user"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no user 'no-such-user'");
    assertThatThrownBy(() -> root.resolve("broken"))
        .as("a malformed passwd line names nobody")
        .hasMessageContaining("no user 'broken'");
    assertThatThrownBy(() -> root.resolve("-r"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a user name");
    assertThatThrownBy(() -> root.resolve("a:b")).hasMessageContaining("not a user name");
    assertThatThrownBy(() -> root.resolve(" ")).hasMessageContaining("blank");
  }

  @Test
  void theSystemDatabaseKnowsThisJvmsUser() {
    WorkloadUser self = WorkloadUser.agent();

    assertThat(WorkloadUser.resolve(null)).isEqualTo(self);
    assertThat(WorkloadUser.resolve(Long.toString(self.uid())).uid()).isEqualTo(self.uid());
  }
}
