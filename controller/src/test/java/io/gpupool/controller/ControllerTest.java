package io.gpupool.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.ha.DataDirInUseException;
import io.gpupool.controller.testing.ControllerProbe;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting and stopping a controller on the embedded store. */
@Timeout(60)
class ControllerTest {
  @TempDir Path dir;

  private ControllerConfig config() {
    return ControllerConfig.builder()
        .host("127.0.0.1")
        .grpcPort(0)
        .httpPort(0)
        .dataDir(dir.resolve("data"))
        .joinToken("token")
        .insecure(true)
        .build();
  }

  @Test
  void aSecondControllerOnTheSameDataDirFailsWithOneClearLine() throws Exception {
    try (Controller first = Controller.start(config());
        ControllerProbe probe = new ControllerProbe()) {
      assertThatThrownBy(() -> Controller.start(config()))
          .isInstanceOf(DataDirInUseException.class)
          .hasMessage(
              "data dir "
                  + dir.resolve("data").toAbsolutePath()
                  + " is in use by another controller (pid "
                  + ProcessHandle.current().pid()
                  + "); stop it or pass another --data-dir");
      assertThat(probe.healthz(first.httpPort())).isEqualTo("200 ok");
    }
    try (Controller again = Controller.start(config())) {
      assertThat(again.leaderEpoch()).as("nothing is elected on H2").isEmpty();
      assertThat(again.lostLeadership()).isNotDone();
    }
  }
}
