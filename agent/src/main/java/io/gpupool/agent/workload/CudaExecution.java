package io.gpupool.agent.workload;

import io.gpupool.agent.cuda.CudaDriver;
import io.gpupool.agent.device.DeviceBackendException;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskStarted;
import io.gpupool.proto.v1.TaskUpdate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of CUDA work in the agent itself (a {@code cuda_kernel} or a {@code diagnostic}), on a
 * thread of its own, from start to the ended update.
 *
 * <p>A running kernel cannot be interrupted: a cancel, a preemption, max_runtime or a shutdown is
 * noted at once and reported when the work ends by itself. Cancelled ends say cancelled; preempted
 * ends say preempted (with exit code 0 when the work finished, which the controller counts as
 * done); a run past max_runtime fails with reason code {@value #MAX_RUNTIME_EXCEEDED}. Work that
 * cannot start (bad devices or limits, no CUDA driver) ends without a started update and without an
 * exit code.
 *
 * <p>Thread-safe; {@link #start()} is called once, before any other method.
 */
final class CudaExecution implements Execution {

  /** The reason code of CUDA work that ran longer than its max_runtime. */
  static final String MAX_RUNTIME_EXCEEDED = "MAX_RUNTIME_EXCEEDED";

  private static final Logger log = LoggerFactory.getLogger(CudaExecution.class);
  private static final String UNINTERRUPTIBLE =
      " (a CUDA kernel cannot be interrupted: it ran to its end)";

  private final String taskId;
  private final List<Integer> deviceIndices;
  private final RunnerContext context;
  private final CudaJob job;
  private final Duration gracePeriod;
  private final Optional<Duration> maxRuntime;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  private boolean running; // guarded by this
  private boolean done; // guarded by this
  private StopReason stopReason; // guarded by this
  private String preemptReason; // guarded by this; set by the first preempt
  private Future<?> maxRuntimeTimer; // guarded by this

  CudaExecution(StartTask command, RunnerContext context, CudaJob job) {
    this.taskId = command.getTaskId();
    this.deviceIndices = List.copyOf(command.getDeviceIndicesList());
    this.context = context;
    this.job = job;
    var spec = command.getSpec();
    this.gracePeriod = SpecLimits.gracePeriod(spec);
    this.maxRuntime = SpecLimits.maxRuntime(spec);
  }

  @Override
  public CompletableFuture<Void> ended() {
    return ended;
  }

  @Override
  public Duration gracePeriod() {
    return gracePeriod;
  }

  @Override
  public void start() {
    Optional<TaskResult> rejected = job.reject();
    if (rejected.isPresent()) {
      log.info("task {} cannot run: {}", taskId, rejected.get().getMessage());
      finish(rejected.get());
      return;
    }
    CudaDriver driver;
    try {
      driver = context.cuda().driver();
    } catch (DeviceBackendException e) {
      log.info("task {} cannot run: {}", taskId, e.getMessage());
      finish(CudaResults.failed(CudaResults.CUDA_UNAVAILABLE, e.getMessage()));
      return;
    }
    context.backend().workStarted(deviceIndices);
    synchronized (this) {
      running = true;
      maxRuntime.ifPresent(
          limit ->
              maxRuntimeTimer =
                  context
                      .timers()
                      .schedule(
                          () -> stop(StopReason.MAX_RUNTIME, gracePeriod),
                          limit.toNanos(),
                          TimeUnit.NANOSECONDS));
    }
    log.info("task {} started: CUDA work on GPU {}", taskId, deviceIndices);
    context
        .sink()
        .accept(
            TaskUpdate.newBuilder()
                .setTaskId(taskId)
                .setStarted(
                    TaskStarted.newBuilder()
                        .setTime(ProtoTime.timestamp(context.clock().instant())))
                .build());
    context.io().execute(() -> runToEnd(driver));
  }

  private void runToEnd(CudaDriver driver) {
    TaskResult result;
    try {
      result = job.run(driver);
    } catch (RuntimeException e) {
      log.warn("task {}: CUDA work failed unexpectedly", taskId, e);
      result = CudaResults.failed("INTERNAL", "the agent failed running the CUDA work: " + e);
    }
    context.backend().workEnded(deviceIndices);
    synchronized (this) {
      if (maxRuntimeTimer != null) {
        maxRuntimeTimer.cancel(false);
      }
    }
    log.info(
        "task {} ended: {}",
        taskId,
        result.getReasonCode().isEmpty() ? "ok" : result.getReasonCode());
    finish(result);
  }

  /** Notes why the work must stop; it is reported when the work ends. Only the first counts. */
  @Override
  public void stop(StopReason reason, Duration grace) {
    synchronized (this) {
      if (!running || done || stopReason != null) {
        return;
      }
      stopReason = reason;
    }
    log.info(
        "task {}: {} noted; CUDA work cannot be interrupted, it ends by itself", taskId, reason);
  }

  /** Notes the preemption; the work cannot checkpoint and is reported preempted when it ends. */
  @Override
  public boolean preempt(String reason, Duration noticePeriod) {
    synchronized (this) {
      if (!running || done || stopReason != null || preemptReason != null) {
        return false;
      }
      preemptReason = reason;
    }
    log.info(
        "task {}: preempted ({}); CUDA work cannot be interrupted, it ends by itself",
        taskId,
        reason);
    return true;
  }

  private void finish(TaskResult outcome) {
    TaskResult.Builder result = outcome.toBuilder();
    boolean cancelled;
    boolean preempted;
    synchronized (this) {
      done = true;
      cancelled = stopReason == StopReason.CANCELLED;
      preempted = !cancelled && preemptReason != null;
      if (stopReason == StopReason.MAX_RUNTIME) {
        result
            .clearExitCode()
            .setReasonCode(MAX_RUNTIME_EXCEEDED)
            .setMessage(
                "exceeded max_runtime " + DurationText.format(maxRuntime.get()) + UNINTERRUPTIBLE);
      } else if (cancelled) {
        result.setMessage(join("cancelled" + UNINTERRUPTIBLE, outcome.getMessage()));
      } else if (preempted) {
        String why = preemptReason.isBlank() ? "preempted" : "preempted: " + preemptReason;
        result.setMessage(join(why + UNINTERRUPTIBLE, outcome.getMessage()));
      } else if (stopReason == StopReason.SHUTDOWN) {
        result.setMessage(
            join("the agent shut down while it ran" + UNINTERRUPTIBLE, outcome.getMessage()));
      }
    }
    context.reportEnded(taskId, result.build(), cancelled, preempted);
    ended.complete(null);
  }

  private static String join(String first, String second) {
    return second.isEmpty() ? first : first + "; " + second;
  }
}
