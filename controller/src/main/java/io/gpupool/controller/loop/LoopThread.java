package io.gpupool.controller.loop;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the scheduling loop on its own thread: a pass as soon as events arrive, and at least every
 * {@code tick} so that heartbeat deadlines are checked when nothing happens.
 *
 * <p>Start once, close once. A pass that throws is logged and the loop goes on.
 */
public final class LoopThread implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LoopThread.class);

  private final SchedulerLoop loop;
  private final Duration tick;
  private final Thread thread;
  private volatile boolean running = true;

  public LoopThread(SchedulerLoop loop, Duration tick) {
    this.loop = loop;
    this.tick = tick;
    this.thread = new Thread(this::run, "gpupool-scheduler-loop");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    while (running) {
      try {
        loop.runOnce(tick);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.error("scheduling pass failed", e);
      }
    }
  }

  /** Stops the thread after its current pass and fails events still queued. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.close();
  }
}
