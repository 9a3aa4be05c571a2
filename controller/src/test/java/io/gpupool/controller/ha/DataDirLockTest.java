package io.gpupool.controller.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One controller per data dir, whether the other one runs in this JVM or in another process. */
@Timeout(60)
class DataDirLockTest {
  @TempDir Path dir;

  @Test
  void aSecondLockInThisJvmIsRefusedUntilTheFirstIsReleased() throws IOException {
    DataDirLock first = DataDirLock.acquire(dir);

    assertThatThrownBy(() -> DataDirLock.acquire(dir))
        .isInstanceOf(DataDirInUseException.class)
        .hasMessage(
            "data dir "
                + dir.toAbsolutePath()
                + " is in use by another controller (pid "
                + ProcessHandle.current().pid()
                + "); stop it or pass another --data-dir");

    first.close();
    first.close();
    DataDirLock.acquire(dir).close();
  }

  @Test
  void aLockHeldByAnotherProcessIsRefusedAndFreedWhenThatProcessDies() throws Exception {
    Process holder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                HoldDataDirLock.class.getName(),
                dir.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("locked");

      assertThatThrownBy(() -> DataDirLock.acquire(dir))
          .isInstanceOf(DataDirInUseException.class)
          .hasMessageContaining("is in use by another controller (pid " + holder.pid() + ")");
    } finally {
      holder.destroyForcibly();
      holder.waitFor(30, TimeUnit.SECONDS);
    }
    DataDirLock.acquire(dir).close();
  }

  /** Holds the lock of the dir in its first argument until killed. */
  static final class HoldDataDirLock {
    private HoldDataDirLock() {}

    public static void main(String[] args) throws Exception {
      DataDirLock lock = DataDirLock.acquire(Path.of(args[0]));
      System.out.println("locked");
      System.out.flush();
      Thread.currentThread().join(); // until killed
      lock.close();
    }
  }
}
