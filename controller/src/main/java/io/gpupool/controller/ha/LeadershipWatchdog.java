package io.gpupool.controller.ha;

import io.gpupool.controller.store.LeadershipLostException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies a {@link Leadership} every period on a thread of its own and calls the handler, once,
 * when it is lost, whether the watchdog found out or another part reported it ({@link #report}, a
 * fenced commit). After that it checks no more.
 *
 * <p>Thread-safe. The handler runs on the watchdog's thread, so it may stop the loop thread and the
 * gRPC server and wait for them.
 */
public final class LeadershipWatchdog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeadershipWatchdog.class);

  private final Leadership leadership;
  private final Consumer<LeadershipLostException> onLost;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean lost = new AtomicBoolean();

  private LeadershipWatchdog(Leadership leadership, Consumer<LeadershipLostException> onLost) {
    this.leadership = leadership;
    this.onLost = onLost;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "gpupool-leadership-watchdog");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Starts verifying {@code leadership} every {@code period}, the first time after one period. */
  public static LeadershipWatchdog start(
      Leadership leadership, Duration period, Consumer<LeadershipLostException> onLost) {
    LeadershipWatchdog watchdog = new LeadershipWatchdog(leadership, onLost);
    watchdog.executor.scheduleWithFixedDelay(
        watchdog::check, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    return watchdog;
  }

  private void check() {
    try {
      leadership.verify();
    } catch (LeadershipLostException e) {
      lose(e);
    }
  }

  /** Reports a loss found elsewhere; the handler runs on the watchdog's thread unless closed. */
  public void report(LeadershipLostException e) {
    try {
      executor.execute(() -> lose(e));
    } catch (RejectedExecutionException closed) {
      log.debug("leadership loss reported after the watchdog stopped: {}", e.getMessage());
    }
  }

  private void lose(LeadershipLostException e) {
    if (!lost.compareAndSet(false, true)) {
      return;
    }
    executor.shutdown();
    try {
      onLost.accept(e);
    } catch (RuntimeException failure) {
      log.error("stopping after the loss of leadership failed", failure);
    }
  }

  /**
   * Stops checking. A check or handler already running finishes (not interrupted), and a loss
   * reported before still reaches the handler, which must tolerate a controller being closed.
   */
  @Override
  public void close() {
    executor.shutdown();
  }
}
