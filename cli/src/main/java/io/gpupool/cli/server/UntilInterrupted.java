package io.gpupool.cli.server;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Keeps a server command running until the process is interrupted, then closes what it started. */
final class UntilInterrupted {
  private UntilInterrupted() {}

  /** Blocks until SIGINT/SIGTERM; closes {@code resources} in order on the way out. */
  static void await(List<AutoCloseable> resources) {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              closeAll(resources);
              stopped.countDown();
            },
            "gpupool-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Runtime.getRuntime().removeShutdownHook(hook);
      closeAll(resources);
    }
  }

  static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        System.err.println("gpupool: error while stopping: " + e.getMessage());
      }
    }
  }
}
