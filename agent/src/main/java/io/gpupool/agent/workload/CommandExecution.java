package io.gpupool.agent.workload;

import io.gpupool.agent.device.GpuDevice;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskStarted;
import io.gpupool.proto.v1.TaskUpdate;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a command workload, from launch to the ended update.
 *
 * <p>Reports started (once the process runs), output and progress, then exactly one ended after
 * both output streams are drained and the process tree is gone. The ended message is empty when the
 * process exited by itself (the exit code says it all) and says why the agent killed it otherwise.
 * Whatever goes wrong before the process runs (bad working_dir, unknown device, exec failure) ends
 * the task with a message and without an exit code.
 *
 * <p>Preemption: {@link #preempt} writes the notice file, sends SIGUSR1 to the main process and
 * stops the tree at the deadline, or at once when the workload prints {@code ##gpupool
 * checkpointed} on stdout. The first thing that stops the workload names the outcome (a cancel
 * during the notice period wins); a workload that exits by itself after the notice counts as
 * preempted.
 *
 * <p>Thread-safe; {@link #start()} is called once, before any other method.
 */
final class CommandExecution implements Execution {

  private static final Logger log = LoggerFactory.getLogger(CommandExecution.class);
  private static final long FLUSH_INTERVAL_MS = 100;
  private static final long TREE_REFRESH_INTERVAL_MS = 500;
  private static final int MAX_LINE_CHARS = 64 * 1024;

  /**
   * After the process exited, how long its output and tree may take to go beyond the grace period.
   */
  private static final Duration END_SLACK = Duration.ofSeconds(5);

  private static final Pattern DIRECTORY_SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final File NULL_DEVICE = new File("/dev/null");

  private final String taskId;
  private final TaskSpec spec;
  private final List<Integer> deviceIndices;
  private final int attempt;
  private final Map<String, String> controllerEnv;
  private final RunnerContext context;
  private final TaskOutput output;
  private final Duration gracePeriod;
  private final Optional<Duration> maxRuntime;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final List<Future<?>> periodicJobs = new ArrayList<>();

  private volatile ProcessTree tree;
  private volatile NoticeFile noticeFile;
  private StopReason stopReason; // guarded by this
  private boolean exited; // guarded by this
  private PreemptionNotice notice; // guarded by this; set by the first preempt
  private boolean checkpointed; // guarded by this
  private String gpuMemoryMessage; // guarded by this; set when the share was exceeded

  CommandExecution(StartTask command, RunnerContext context) {
    this.taskId = command.getTaskId();
    this.spec = command.getSpec();
    this.deviceIndices = List.copyOf(command.getDeviceIndicesList());
    this.attempt = attemptOf(command);
    this.controllerEnv = Map.copyOf(command.getEnvMap());
    this.context = context;
    this.output = new TaskOutput(taskId, context.clock(), context.sink());
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

  /** Which start of the task this is, from 1 (a controller that does not say means the first). */
  static int attemptOf(StartTask command) {
    return Math.max(1, command.getAttempt());
  }

  /** Launches the process, or ends the task at once when it cannot run. */
  @Override
  public void start() {
    Process process;
    try {
      process = launch();
    } catch (LaunchException e) {
      log.info("task {} could not start: {}", taskId, e.getMessage());
      finish(null, e.getMessage());
      return;
    }
    tree = new ProcessTree(process.toHandle());
    context.backend().workStarted(deviceIndices);
    log.info("task {} started: pid {}", taskId, process.pid());
    context
        .sink()
        .accept(
            TaskUpdate.newBuilder()
                .setTaskId(taskId)
                .setStarted(
                    TaskStarted.newBuilder()
                        .setTime(ProtoTime.timestamp(context.clock().instant())))
                .build());
    CompletableFuture<Void> stdout =
        CompletableFuture.runAsync(
            () -> pump(process.getInputStream(), LogStream.LOG_STREAM_STDOUT), context.io());
    CompletableFuture<Void> stderr =
        CompletableFuture.runAsync(
            () -> pump(process.getErrorStream(), LogStream.LOG_STREAM_STDERR), context.io());
    synchronized (periodicJobs) {
      periodicJobs.add(
          context
              .timers()
              .scheduleAtFixedRate(
                  guarded(output::flush),
                  FLUSH_INTERVAL_MS,
                  FLUSH_INTERVAL_MS,
                  TimeUnit.MILLISECONDS));
      periodicJobs.add(
          context
              .timers()
              .scheduleWithFixedDelay(
                  guarded(tree::refresh),
                  TREE_REFRESH_INTERVAL_MS,
                  TREE_REFRESH_INTERVAL_MS,
                  TimeUnit.MILLISECONDS));
      gpuMemoryWatcher()
          .ifPresent(
              watcher ->
                  periodicJobs.add(
                      context
                          .timers()
                          .scheduleWithFixedDelay(
                              guarded(() -> watcher.check().ifPresent(this::overGpuMemoryShare)),
                              context.gpuMemoryCheckInterval().toNanos(),
                              context.gpuMemoryCheckInterval().toNanos(),
                              TimeUnit.NANOSECONDS)));
      maxRuntime.ifPresent(
          limit ->
              periodicJobs.add(
                  context
                      .timers()
                      .schedule(
                          guarded(() -> stop(StopReason.MAX_RUNTIME, gracePeriod)),
                          limit.toNanos(),
                          TimeUnit.NANOSECONDS)));
    }
    context.io().execute(() -> awaitEnd(process, CompletableFuture.allOf(stdout, stderr)));
  }

  /**
   * Stops the workload: SIGTERM to its process tree now, SIGKILL to what is left after the grace
   * period. Only the first stop counts; a workload that already exited is left alone.
   */
  @Override
  public void stop(StopReason reason, Duration grace) {
    synchronized (this) {
      if (stopReason != null || exited || tree == null) {
        return;
      }
      stopReason = reason;
    }
    log.info("task {}: stopping ({}), SIGKILL in {}", taskId, reason, DurationText.format(grace));
    ProcessTree processes = tree;
    processes.terminate();
    context
        .timers()
        .schedule(
            guarded(processes::kill),
            SpecLimits.nonNegative(grace).toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /**
   * Preempts the workload: writes the notice file, sends SIGUSR1 to the main process, and stops the
   * process tree like {@link #stop} at the deadline (now plus the notice period), or as soon as the
   * workload prints that it checkpointed. Returns after the notice is written and the signal sent;
   * failing to write or signal is logged, and the deadline still holds.
   *
   * @param noticePeriod time from the notice to SIGTERM; negative counts as zero
   * @return false when ignored: the workload is not running, already has notice, or is stopping
   */
  @Override
  public boolean preempt(String reason, Duration noticePeriod) {
    Duration period = SpecLimits.nonNegative(noticePeriod);
    PreemptionNotice given;
    synchronized (this) {
      if (notice != null || stopReason != null || exited || tree == null) {
        return false;
      }
      notice =
          new PreemptionNotice(taskId, reason, context.clock().instant().plus(period), attempt);
      given = notice;
    }
    log.info(
        "task {}: preempted ({}), SIGTERM at {} unless it checkpoints first",
        taskId,
        reason,
        given.deadlineText());
    try {
      noticeFile.write(given);
    } catch (IOException e) {
      log.warn(
          "task {}: cannot write the preemption notice {}: {}; signalling it anyway",
          taskId,
          noticeFile.path(),
          e.toString());
    }
    if (!tree.sendUsr1ToRoot()) {
      log.debug("task {}: SIGUSR1 not delivered; the deadline still holds", taskId);
    }
    synchronized (periodicJobs) {
      periodicJobs.add(
          context
              .timers()
              .schedule(
                  guarded(() -> stop(StopReason.PREEMPTED, gracePeriod)),
                  period.toNanos(),
                  TimeUnit.NANOSECONDS));
    }
    return true;
  }

  /** The watcher of a task with a GPU share on one device; empty for other tasks. */
  private Optional<GpuMemoryWatcher> gpuMemoryWatcher() {
    long share = spec.getResources().getGpuMemoryBytes();
    if (share <= 0 || deviceIndices.size() != 1) {
      return Optional.empty();
    }
    ProcessTree processes = tree;
    return Optional.of(
        new GpuMemoryWatcher(
            taskId, context.backend(), deviceIndices.get(0), share, processes::pids));
  }

  /** The workload uses more GPU memory than its share: it is stopped before it hurts others. */
  private void overGpuMemoryShare(String message) {
    synchronized (this) {
      if (stopReason != null || exited) {
        return;
      }
      gpuMemoryMessage = message;
    }
    log.info("task {}: {}", taskId, message);
    stop(StopReason.GPU_MEMORY_EXCEEDED, gracePeriod);
  }

  /** The workload said it checkpointed: after a notice, it is stopped at once. */
  private void checkpointed() {
    synchronized (this) {
      if (notice == null) {
        log.debug("task {}: ignoring a checkpointed line before any preemption notice", taskId);
        return;
      }
      checkpointed = true;
    }
    log.info("task {}: checkpointed after its preemption notice", taskId);
    stop(StopReason.PREEMPTED, gracePeriod);
  }

  private Process launch() throws LaunchException {
    if (!spec.hasCommand()) {
      throw new LaunchException(
          "the task spec has no workload: set command, cuda_kernel or diagnostic");
    }
    CommandWorkload command = spec.getCommand();
    if (command.getArgvCount() == 0) {
      throw new LaunchException("exec failed: command.argv is empty");
    }
    List<String> uuids = deviceUuids();
    Path taskDirectory = taskDirectory();
    Path directory = workingDirectory(command, taskDirectory);
    NoticeFile notices = new NoticeFile(taskDirectory);
    try {
      notices.deleteStale();
    } catch (IOException e) {
      throw new LaunchException(
          "cannot remove the preemption notice of an earlier attempt " + notices.path() + ": " + e);
    }
    noticeFile = notices;
    ProcessBuilder builder =
        new ProcessBuilder(command.getArgvList())
            .directory(directory.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(NULL_DEVICE));
    Map<String, String> environment = builder.environment();
    try {
      environment.putAll(command.getEnvMap());
    } catch (IllegalArgumentException e) {
      throw new LaunchException("invalid command.env: " + e.getMessage());
    }
    try {
      environment.putAll(controllerEnv); // after the spec's: the controller's values win
    } catch (IllegalArgumentException e) {
      throw new LaunchException(
          "invalid env from the controller (StartTask.env): " + e.getMessage());
    }
    environment.put(
        "CUDA_VISIBLE_DEVICES",
        deviceIndices.stream().map(String::valueOf).collect(Collectors.joining(",")));
    environment.put("GPUPOOL_TASK_ID", taskId);
    environment.put("GPUPOOL_GPU_UUIDS", String.join(",", uuids));
    environment.put("GPUPOOL_ATTEMPT", Integer.toString(attempt));
    environment.put("GPUPOOL_NOTICE_FILE", notices.path().toString());
    environment.putAll(gpuShareEnvironment());
    try {
      return builder.start();
    } catch (IOException e) {
      String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      throw new LaunchException("exec failed: " + command.getArgv(0) + ": " + reason);
    }
  }

  /**
   * The share of a task with Resources.gpu_memory_bytes: GPUPOOL_GPU_MEMORY_BYTES, and the MPS
   * limits when an MPS daemon runs.
   */
  private Map<String, String> gpuShareEnvironment() {
    long share = spec.getResources().getGpuMemoryBytes();
    if (share <= 0) {
      return Map.of();
    }
    Map<String, String> environment = new java.util.HashMap<>();
    environment.put("GPUPOOL_GPU_MEMORY_BYTES", Long.toString(share));
    if (deviceIndices.size() == 1 && context.mps().daemonRunning()) {
      long memory = context.backend().devices().get(deviceIndices.get(0)).memoryTotalBytes();
      environment.putAll(MpsControl.limits(share, memory));
    }
    return environment;
  }

  private List<String> deviceUuids() throws LaunchException {
    List<GpuDevice> devices = context.backend().devices();
    List<String> uuids = new ArrayList<>();
    for (int index : deviceIndices) {
      if (index < 0 || index >= devices.size()) {
        throw new LaunchException(
            "device index "
                + index
                + " does not exist on this node (it has "
                + devices.size()
                + " devices)");
      }
      uuids.add(devices.get(index).uuid());
    }
    return uuids;
  }

  /**
   * The agent's own directory for the task, {@code stateDir/tasks/<taskId>}, created if missing: it
   * holds the notice file, and is the working dir when the spec names none.
   */
  private Path taskDirectory() throws LaunchException {
    if (!DIRECTORY_SAFE_ID.matcher(taskId).matches()) {
      throw new LaunchException(
          "task id '"
              + taskId
              + "' cannot name a task directory under the agent's state dir"
              + " (letters, digits, '.', '_' and '-' only, not starting with '.', '_' or '-')");
    }
    Path directory = context.stateDir().resolve("tasks").resolve(taskId);
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new LaunchException("cannot create the task directory " + directory + ": " + e);
    }
    return directory;
  }

  private static Path workingDirectory(CommandWorkload command, Path taskDirectory)
      throws LaunchException {
    if (!command.getWorkingDir().isEmpty()) {
      Path directory;
      try {
        directory = Path.of(command.getWorkingDir());
      } catch (InvalidPathException e) {
        throw new LaunchException("working_dir '" + command.getWorkingDir() + "' is not a path");
      }
      if (!directory.isAbsolute()) {
        throw new LaunchException("working_dir '" + directory + "' is not an absolute path");
      }
      if (!Files.isDirectory(directory)) {
        throw new LaunchException(
            "working_dir " + directory + " does not exist or is not a directory");
      }
      return directory;
    }
    return taskDirectory;
  }

  private void pump(InputStream stream, LogStream kind) {
    try (var reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
      new LineReader(reader, MAX_LINE_CHARS)
          .forEachLine(
              line -> {
                // Control lines count on stdout only; on stderr they are ordinary output.
                if (kind == LogStream.LOG_STREAM_STDOUT && ControlLines.isCheckpointed(line)) {
                  checkpointed();
                } else {
                  output.line(kind, line);
                }
              });
    } catch (IOException e) {
      log.debug("task {}: reading {} stopped: {}", taskId, kind, e.toString());
    }
  }

  /**
   * Ends the task once the process exited, its output is drained and its whole tree is gone (so
   * that whoever sees the ended update can rely on that), or when that takes longer than the grace
   * period and a little more.
   */
  private void awaitEnd(Process process, CompletableFuture<Void> drained) {
    int exitCode = waitUninterruptibly(process);
    synchronized (this) {
      exited = true;
    }
    CompletableFuture<Void> treeGone = stopLeftovers();
    Duration limit = gracePeriod.plus(END_SLACK);
    try {
      CompletableFuture.allOf(drained, treeGone).get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      log.warn(
          "task {}: output still open or processes still around {} after the process exited"
              + " (something detached from the task); ending the task anyway",
          taskId,
          DurationText.format(limit));
    } catch (ExecutionException e) {
      log.warn("task {}: reading output failed", taskId, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (periodicJobs) {
      periodicJobs.forEach(job -> job.cancel(false));
    }
    context.backend().workEnded(deviceIndices);
    log.info("task {} ended: exit code {}", taskId, exitCode);
    finish(exitCode, endMessage());
  }

  /**
   * Stops what the workload left behind, which would keep the GPUs busy and the output open:
   * SIGTERM now, SIGKILL after the grace period.
   *
   * @return completes when every leftover process is gone (reaped, not just dead)
   */
  private CompletableFuture<Void> stopLeftovers() {
    List<ProcessHandle> leftovers = tree.aliveDescendants();
    if (leftovers.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    log.debug("task {}: stopping {} leftover processes", taskId, leftovers.size());
    ProcessTree.signal(leftovers, false);
    context
        .timers()
        .schedule(
            guarded(() -> ProcessTree.signal(leftovers, true)),
            gracePeriod.toNanos(),
            TimeUnit.NANOSECONDS);
    return CompletableFuture.allOf(
        leftovers.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new));
  }

  private static int waitUninterruptibly(Process process) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return process.waitFor();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Why the workload ended, when the exit code does not say it all. */
  private synchronized String endMessage() {
    if (isPreempted()) {
      String message = notice.reason().isBlank() ? "preempted" : "preempted: " + notice.reason();
      return checkpointed ? message + " (checkpointed)" : message;
    }
    if (stopReason == null) {
      return ""; // the exit code says it all
    }
    return switch (stopReason) {
      case CANCELLED -> "cancelled";
      case PREEMPTED -> "preempted"; // not reached: a preempted stop has a notice
      case MAX_RUNTIME -> "killed: exceeded max_runtime " + DurationText.format(maxRuntime.get());
      case SHUTDOWN -> "killed: the agent shut down";
      case GPU_MEMORY_EXCEEDED -> gpuMemoryMessage;
    };
  }

  /**
   * True when the workload ended because of its notice: the preemption stopped it, or it exited by
   * itself after being told to.
   */
  private synchronized boolean isPreempted() {
    return notice != null && (stopReason == null || stopReason == StopReason.PREEMPTED);
  }

  private void finish(Integer exitCode, String message) {
    output.close();
    TaskResult.Builder result = TaskResult.newBuilder().setMessage(message);
    synchronized (this) {
      if (stopReason == StopReason.GPU_MEMORY_EXCEEDED && !isPreempted()) {
        result.setReasonCode(GpuMemoryWatcher.GPU_MEMORY_EXCEEDED);
      }
    }
    if (exitCode != null) {
      result.setExitCode(exitCode);
    }
    boolean cancelled;
    boolean preempted;
    synchronized (this) {
      cancelled = stopReason == StopReason.CANCELLED;
      preempted = isPreempted();
    }
    context.reportEnded(taskId, result.build(), cancelled, preempted);
    ended.complete(null);
  }

  private Runnable guarded(Runnable job) {
    return () -> {
      try {
        job.run();
      } catch (RuntimeException e) {
        log.warn("task {}: background job failed", taskId, e);
      }
    };
  }

  /** The workload cannot run; the message says why, for the user. */
  private static final class LaunchException extends Exception {
    LaunchException(String message) {
      super(message);
    }
  }
}
