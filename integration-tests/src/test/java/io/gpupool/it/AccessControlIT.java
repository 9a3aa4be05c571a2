package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control as an operator meets it: {@code gpupool controller} writes its admin token on
 * first start, {@code gpupool token create ... | tail -1} makes a token, GPUPOOL_TOKEN carries it,
 * and the CLI without a token says what to do. Processes all, through the launcher.
 */
@Timeout(180)
class AccessControlIT {
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void theAdminTokenMakesAUserTokenThatTheCliTakesFromTheEnvironment() throws Exception {
    int port = ProcessCluster.freePort();
    String controller = "127.0.0.1:" + port;
    Path gpupool = ExternalCommand.repoRoot().resolve("bin/gpupool");
    try (ProcessCluster cluster = new ProcessCluster(dir.resolve("cluster"))) {
      cluster.controller("controller", port, null).start();
      cluster.awaitListening(port, START);
      Path file = dir.resolve("cluster/controller/admin.token");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      String admin = Files.readString(file).strip();
      // No token from the machine this test runs on, and no saved ones.
      Map<String, String> clean =
          Map.of("GPUPOOL_TOKEN", "", "XDG_CONFIG_HOME", dir.resolve("config").toString());

      ExternalCommand.Result user =
          ExternalCommand.run(
              List.of(
                  "bash",
                  "-c",
                  "set -e -o pipefail; TOKEN=$(GPUPOOL_TOKEN=\"$ADMIN\" \"$GPUPOOL\" token create"
                      + " --controller "
                      + controller
                      + " --role user --tenant team-a --description it | tail -1);"
                      + " GPUPOOL_TOKEN=$TOKEN \"$GPUPOOL\" whoami --controller "
                      + controller),
              Map.of(
                  "GPUPOOL",
                  gpupool.toString(),
                  "ADMIN",
                  admin,
                  "XDG_CONFIG_HOME",
                  dir.resolve("config").toString()),
              120);
      assertThat(user.exitCode()).as(user.stderr()).isZero();
      assertThat(user.stdout().strip())
          .matches("token [0-9a-f]{16}, role user, tenant team-a \\(it\\)");

      ExternalCommand.Result refused =
          ExternalCommand.run(
              ExternalCommand.of(gpupool, "list", "--controller", controller), clean, 60);
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.stderr())
          .startsWith("error: UNAUTHENTICATED: this call needs a token")
          .contains("--token or GPUPOOL_TOKEN")
          .doesNotContain("\tat ");

      ExternalCommand.Result withFlag =
          ExternalCommand.run(
              ExternalCommand.of(
                  gpupool, "token", "list", "--controller", controller, "--token", admin),
              clean,
              60);
      assertThat(withFlag.stdout()).contains("bootstrap").contains("team-a");
    }
  }
}
