package io.gpupool.agent.workload;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One periodic job on the runner's timer thread that gives every live command task a turn (read
 * what its workload appended to its output files, see whether its supervisor ended, move its end
 * along), instead of reader and waiter threads per task. A task is polled from {@link #add} until
 * {@link #remove}; an ended task costs nothing.
 *
 * <p>Thread-safe. Every turn runs on the timer thread, so a task's turns never overlap.
 */
final class TaskPoller {

  /** A task that wants turns. */
  @FunctionalInterface
  interface Polled {

    /** One turn; runs on the timer thread and should return quickly. */
    void poll();
  }

  /** Time between two turns of a task. */
  static final long INTERVAL_MILLIS = 50;

  private static final Logger log = LoggerFactory.getLogger(TaskPoller.class);

  private final ScheduledExecutorService timers;
  private final long intervalNanos;
  private final Set<Polled> tasks = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /**
   * @param timers the thread the turns run on
   */
  TaskPoller(ScheduledExecutorService timers) {
    this.timers = timers;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
  }

  /** Starts giving the task turns, the first one now. */
  void add(Polled task) {
    tasks.add(task);
    if (scheduled.compareAndSet(false, true)) {
      timers.scheduleWithFixedDelay(this::tick, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
    }
    pollSoon(task);
  }

  /** Stops giving the task turns. */
  void remove(Polled task) {
    tasks.remove(task);
  }

  /** Gives the task an extra turn as soon as the timer thread is free; callable from any thread. */
  void pollSoon(Polled task) {
    try {
      timers.execute(
          () -> {
            if (tasks.contains(task)) {
              turn(task);
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("the runner is stopped; no more turns");
    }
  }

  private void tick() {
    for (Polled task : tasks) {
      turn(task);
    }
  }

  private static void turn(Polled task) {
    try {
      task.poll();
    } catch (RuntimeException e) {
      log.warn("polling a task failed", e);
    }
  }
}
