package io.gpupool.agent.workload;

import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.proto.v1.TaskSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks the controller assigns to this node and reports their updates to a sink.
 *
 * <p>Each task id runs at most once: a second start of a known id (running or finished) is ignored,
 * and so is a cancel of an unknown or finished task. While a task runs, its devices are marked busy
 * in the device backend.
 *
 * <p>Thread-safe. {@link #close()} stops every running task and waits for their ended updates.
 */
public final class TaskRunner implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  /** How long close() waits for the tasks beyond their grace periods. */
  private static final Duration CLOSE_SLACK = Duration.ofSeconds(5);

  private final RunnerContext context;
  private final Set<String> known = new HashSet<>(); // guarded by this
  private final Map<String, CommandExecution> running = new HashMap<>(); // guarded by this
  private boolean closed; // guarded by this

  /**
   * Creates a runner; it starts its threads lazily.
   *
   * @param backend the node's devices: their UUIDs go to the workload, their busy state is updated
   * @param stateDir the agent's state dir; a task without working_dir runs in {@code
   *     stateDir/tasks/<taskId>/}
   * @param clock time stamps of the updates
   * @param sink receives every update; see {@link TaskUpdateSink} for the order guarantees
   */
  public TaskRunner(DeviceBackend backend, Path stateDir, Clock clock, TaskUpdateSink sink) {
    ExecutorService io = Executors.newCachedThreadPool(daemonThreads("gpupool-task-io-"));
    ScheduledExecutorService timers =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("gpupool-task-timer-"));
    this.context = new RunnerContext(backend, stateDir, clock, sink, io, timers);
  }

  /**
   * Starts a task. A task that cannot run (bad working_dir, unknown device, program not found)
   * still counts as started here: its failure arrives as an ended update.
   *
   * @param taskId the controller's task id
   * @param spec what to run
   * @param deviceIndices the assigned devices
   * @return false when the task id is already known (or the runner is closed) and nothing was done
   */
  public synchronized boolean start(String taskId, TaskSpec spec, List<Integer> deviceIndices) {
    if (closed) {
      log.warn("ignoring start of task {}: the agent is shutting down", taskId);
      return false;
    }
    if (!known.add(taskId)) {
      log.info("ignoring start of task {}: it is already known", taskId);
      return false;
    }
    CommandExecution execution = new CommandExecution(taskId, spec, deviceIndices, context);
    running.put(taskId, execution);
    execution.ended().thenRun(() -> forget(taskId));
    execution.start();
    return true;
  }

  /**
   * Cancels a running task: SIGTERM to its process tree, SIGKILL after the grace period; the ended
   * update says cancelled.
   *
   * @param gracePeriod time between SIGTERM and SIGKILL; null for the task's own (default 10 s)
   * @return false when the task is not running (unknown or finished) and nothing was done
   */
  public boolean cancel(String taskId, Duration gracePeriod) {
    CommandExecution execution;
    synchronized (this) {
      execution = running.get(taskId);
    }
    if (execution == null) {
      log.info("ignoring cancel of task {}: it is not running", taskId);
      return false;
    }
    execution.stop(
        StopReason.CANCELLED, gracePeriod == null ? execution.gracePeriod() : gracePeriod);
    return true;
  }

  /** Ids of the tasks running now. */
  public synchronized Set<String> runningTaskIds() {
    return Set.copyOf(running.keySet());
  }

  /**
   * Stops every running task (SIGTERM, then SIGKILL after its grace period), waits until their
   * ended updates were handed to the sink, and stops the runner's threads. Later starts are
   * ignored.
   */
  @Override
  public void close() {
    List<CommandExecution> stopping;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stopping = new ArrayList<>(running.values());
    }
    Duration longestGrace = Duration.ZERO;
    for (CommandExecution execution : stopping) {
      execution.stop(StopReason.SHUTDOWN, execution.gracePeriod());
      if (execution.gracePeriod().compareTo(longestGrace) > 0) {
        longestGrace = execution.gracePeriod();
      }
    }
    Duration limit = longestGrace.plus(CLOSE_SLACK).plus(CLOSE_SLACK);
    try {
      CompletableFuture.allOf(
              stopping.stream().map(CommandExecution::ended).toArray(CompletableFuture[]::new))
          .get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("tasks still running {} after shutdown began: {}", limit, runningTaskIds());
    } catch (ExecutionException e) {
      log.warn("stopping tasks failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    context.timers().shutdownNow();
    context.io().shutdownNow();
  }

  private synchronized void forget(String taskId) {
    running.remove(taskId);
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
