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
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a command workload, from launch (or from being taken over after an agent restart) to
 * the ended update.
 *
 * <p>The workload runs under a {@link Supervisor} that outlives the agent process: its output goes
 * to files in the task's {@link SupervisorDir}, which the runner's {@link TaskPoller} reads every
 * turn, and its exit status to a file that the supervisor writes before it exits. Reports started
 * (once the supervisor runs), output and progress, then exactly one ended after the supervisor
 * exited, the workload's leftover processes are gone and both output files are drained. The ended
 * message is empty when the workload exited by itself (the exit code says it all) and says why the
 * agent killed it otherwise. Whatever goes wrong before the workload runs (bad working_dir, unknown
 * device, an unknown run-as user, a program that cannot be executed) ends the task with a message
 * and without an exit code. After the ended update is in the sink, the task dir is marked reported,
 * so that no later agent reports it again.
 *
 * <p>Preemption: {@link #preempt} writes the notice file, sends SIGUSR1 to the workload (not to its
 * supervisor) and stops the tree at the deadline, or at once when the workload prints {@code
 * ##gpupool checkpointed} on stdout. The first thing that stops the workload names the outcome (a
 * cancel during the notice period wins); a workload that exits by itself after the notice counts as
 * preempted. Why the task is being stopped, and its notice, are recorded in the supervisor dir, so
 * that an agent taking the task over reports the same outcome.
 *
 * <p>Thread-safe; {@link #start()} or {@link #reattach} is called once, before any other method.
 */
final class CommandExecution implements Execution, TaskPoller.Polled {

  private static final Logger log = LoggerFactory.getLogger(CommandExecution.class);
  private static final long FLUSH_INTERVAL_MS = 100;
  private static final long TREE_REFRESH_INTERVAL_MS = 500;

  private static final long FLUSH_TURNS =
      Math.max(1, FLUSH_INTERVAL_MS / TaskPoller.INTERVAL_MILLIS);
  private static final long REFRESH_TURNS =
      Math.max(1, TREE_REFRESH_INTERVAL_MS / TaskPoller.INTERVAL_MILLIS);

  /**
   * After the workload exited, how long its output and tree may take to go beyond the grace period.
   */
  private static final Duration END_SLACK = Duration.ofSeconds(5);

  private static final Pattern DIRECTORY_SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final File NULL_DEVICE = new File("/dev/null");

  // Keys of the stop state recorded in the supervisor dir.
  private static final String STOP_REASON = "reason";
  private static final String GPU_MEMORY_MESSAGE = "gpu-memory-message";
  private static final String NOTICE_REASON = "notice-reason";
  private static final String NOTICE_DEADLINE = "notice-deadline";
  private static final String CHECKPOINTED = "checkpointed";

  private final String taskId;
  private final StartTask command;
  private final TaskSpec spec;
  private final List<Integer> deviceIndices;
  private final int attempt;
  private final RunnerContext context;
  private final Duration gracePeriod;
  private final Optional<Duration> maxRuntime;
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final List<Future<?>> jobs = new ArrayList<>(); // guarded by itself

  private volatile TaskOutput output;
  private volatile SupervisorDir files;
  private volatile ProcessTree tree;
  private volatile NoticeFile noticeFile;
  private volatile Process child; // the supervisor when this agent process launched it
  private volatile Signal pendingSignal = Signal.NONE;
  private volatile boolean endDeadlinePassed;

  private StopReason stopReason; // guarded by this
  private boolean exited; // guarded by this
  private PreemptionNotice notice; // guarded by this; set by the first preempt
  private boolean checkpointed; // guarded by this
  private String gpuMemoryMessage; // guarded by this; set when the share was exceeded

  // Confined to the poller's turns (the timer thread).
  private TaskOutputFiles outputFiles;
  private Phase phase = Phase.RUNNING;
  private long turns;
  private boolean devicesBusy;
  private boolean done;
  private OptionalInt exitStatus = OptionalInt.empty();
  private String lostMessage; // the supervisor died without recording the exit status
  private List<ProcessHandle> leftovers = List.of();

  /** Where the task is on its way to the ended update. */
  private enum Phase {
    /** The supervisor runs. */
    RUNNING,
    /** The supervisor is gone; leftovers are being stopped and the output drained. */
    ENDING
  }

  /** A stop signal that found no workload to signal yet, tried again every turn. */
  private enum Signal {
    NONE,
    TERM,
    KILL
  }

  CommandExecution(StartTask command, RunnerContext context) {
    this.taskId = command.getTaskId();
    this.command = command;
    this.spec = command.getSpec();
    this.deviceIndices = List.copyOf(command.getDeviceIndicesList());
    this.attempt = attemptOf(command);
    this.context = context;
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

  /** Launches the supervisor, or ends the task at once when the workload cannot run. */
  @Override
  public void start() {
    output = newOutput(new long[3]);
    Instant startedAt = context.clock().instant();
    Process process;
    try {
      process = launch(startedAt);
    } catch (LaunchException e) {
      log.info("task {} could not start: {}", taskId, e.getMessage());
      finish(null, e.getMessage());
      return;
    }
    child = process;
    tree = new ProcessTree(process.toHandle());
    outputFiles = newOutputFiles(new long[2]);
    context.backend().workStarted(deviceIndices);
    devicesBusy = true;
    log.info("task {} started: supervisor pid {}", taskId, process.pid());
    context
        .sink()
        .accept(
            TaskUpdate.newBuilder()
                .setTaskId(taskId)
                .setStarted(TaskStarted.newBuilder().setTime(ProtoTime.timestamp(startedAt)))
                .build());
    scheduleLimits(maxRuntime);
    context.poller().add(this);
    process.onExit().thenRun(() -> context.poller().pollSoon(this));
  }

  /**
   * Takes over the task from what an earlier agent process left in its supervisor dir: a running
   * supervisor is followed from where the output was reported, with its limits counted from the
   * recorded start; a supervisor that ended meanwhile gets its end reported with the recorded exit
   * status; one that died without recording it is reported lost. Called instead of {@link
   * #start()}, once; the ended update follows as for a started task.
   *
   * @param taskDirectory the task's directory, {@code stateDir/tasks/<taskId>}, as a real path
   * @param startedAt when the supervisor was launched
   * @param runAs whom the earlier agent started the workload as, when its record says
   */
  void reattach(
      Path taskDirectory,
      SupervisorDir dir,
      Instant startedAt,
      Optional<SupervisorDir.RunAs> runAs) {
    files = dir;
    noticeFile = new NoticeFile(taskDirectory);
    long[] offsets = dir.reportedOffsets();
    output = newOutput(offsets);
    outputFiles = newOutputFiles(offsets);
    restoreStopState(dir.readStopState());
    runAs
        .filter(user -> !context.users().agent().isRoot())
        .filter(user -> user.uid() != context.users().agent().uid())
        .ifPresent(
            user ->
                log.warn(
                    "task {} runs as {}, and this agent, not root, cannot signal it: cancel,"
                        + " preemption and limits will not stop it",
                    taskId,
                    user.describe()));
    OptionalLong pid = dir.pid();
    Optional<ProcessHandle> supervisor =
        pid.isPresent()
            ? ProcessHandle.of(pid.getAsLong())
                .filter(ProcFs::isRunning)
                .filter(p -> Supervisor.supervises(p, dir.path()))
            : Optional.empty();
    if (supervisor.isEmpty()) {
      takeOverEnded(pid);
      return;
    }
    tree = new ProcessTree(supervisor.get());
    context.backend().workStarted(deviceIndices);
    devicesBusy = true;
    Duration ran = SpecLimits.nonNegative(Duration.between(startedAt, context.clock().instant()));
    log.info(
        "task {} taken over: supervisor pid {}, running for {}{}",
        taskId,
        pid.getAsLong(),
        DurationText.format(ran),
        runAs.map(user -> " as " + user.describe()).orElse(""));
    scheduleLimits(maxRuntime.map(limit -> SpecLimits.nonNegative(limit.minus(ran))));
    StopReason stopping;
    PreemptionNotice given;
    synchronized (this) {
      stopping = stopReason;
      given = notice;
    }
    if (stopping != null) {
      // The kill deadline died with the earlier agent: the stop starts over.
      signalStop(gracePeriod);
    } else if (given != null) {
      Duration left =
          SpecLimits.nonNegative(Duration.between(context.clock().instant(), given.deadline()));
      addJob(
          context
              .timers()
              .schedule(
                  guarded(() -> stop(StopReason.PREEMPTED, gracePeriod)),
                  left.toNanos(),
                  TimeUnit.NANOSECONDS));
    }
    context.poller().add(this);
  }

  /** The supervisor ended while no agent watched: report how, once its leftovers are gone. */
  private void takeOverEnded(OptionalLong pid) {
    synchronized (this) {
      exited = true;
    }
    exitStatus = files.exitStatus();
    if (exitStatus.isEmpty()) {
      lostMessage = "lost: the task's supervisor died while the agent was down";
    }
    log.info(
        "task {} ended while the agent was down: {}",
        taskId,
        exitStatus.isPresent() ? "exit code " + exitStatus.getAsInt() : lostMessage);
    // Set before the poller sees the task: its turns take over from here.
    beginEnding(pid.isPresent() ? ProcFs.sessionLeftovers(pid.getAsLong()) : List.of());
    context.poller().add(this);
  }

  /**
   * Stops the workload: SIGTERM to the workload and its descendants now, SIGKILL to what is left
   * after the grace period. Only the first stop counts; a workload that already exited is left
   * alone.
   */
  @Override
  public void stop(StopReason reason, Duration grace) {
    synchronized (this) {
      if (stopReason != null || exited || tree == null) {
        return;
      }
      stopReason = reason;
      persistStopState();
    }
    log.info("task {}: stopping ({}), SIGKILL in {}", taskId, reason, DurationText.format(grace));
    signalStop(grace);
  }

  private void signalStop(Duration grace) {
    ProcessTree processes = tree;
    if (!processes.terminate()) {
      pendingSignal = Signal.TERM; // no workload yet: the next turns try again
    }
    context
        .timers()
        .schedule(
            guarded(
                () -> {
                  boolean killed = processes.kill();
                  pendingSignal = killed ? Signal.NONE : Signal.KILL;
                }),
            SpecLimits.nonNegative(grace).toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /**
   * Preempts the workload: writes the notice file, sends SIGUSR1 to the workload, and stops the
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
      persistStopState();
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
    if (!tree.sendUsr1ToWorkload()) {
      log.debug("task {}: SIGUSR1 not delivered; the deadline still holds", taskId);
    }
    addJob(
        context
            .timers()
            .schedule(
                guarded(() -> stop(StopReason.PREEMPTED, gracePeriod)),
                period.toNanos(),
                TimeUnit.NANOSECONDS));
    return true;
  }

  /**
   * One turn on the poller's thread: reads new output, flushes it now and then, notices the end of
   * the supervisor, and reports the end once the leftovers are gone.
   */
  @Override
  public void poll() {
    if (done) {
      return;
    }
    turns++;
    if (phase == Phase.RUNNING) {
      readOutput(true);
      if (turns % FLUSH_TURNS == 0) {
        output.flush();
      }
      if (turns % REFRESH_TURNS == 0) {
        tree.refresh();
      }
      retryPendingSignal();
      if (supervisorGone()) {
        synchronized (this) {
          exited = true;
        }
        exitStatus = files.exitStatus();
        if (exitStatus.isEmpty()) {
          lostMessage =
              "lost: the task's supervisor died without recording the workload's exit status";
        }
        List<ProcessHandle> left = new ArrayList<>(tree.aliveDescendants());
        if (exitStatus.isEmpty()) {
          // The workload may be running still, out of the supervisor's tree now.
          ProcFs.sessionLeftovers(tree.root().pid()).stream()
              .filter(p -> !left.contains(p))
              .forEach(left::add);
        }
        beginEnding(left);
      }
    }
    if (phase == Phase.ENDING) {
      readOutput(false);
      // Reaped, not just dead: whoever sees the ended update can rely on the tree being gone.
      boolean leftoversGone = leftovers.stream().noneMatch(ProcessHandle::isAlive);
      if (leftoversGone || endDeadlinePassed) {
        if (!leftoversGone) {
          log.warn(
              "task {}: processes still around {} after the workload exited (something detached"
                  + " from the task); ending the task anyway",
              taskId,
              DurationText.format(gracePeriod.plus(END_SLACK)));
        }
        end();
      }
    }
  }

  private boolean supervisorGone() {
    Process process = child;
    // Not this process's child: its parent (init) may take a while to reap it.
    return process != null ? !process.isAlive() : !ProcFs.isRunning(tree.root());
  }

  private void retryPendingSignal() {
    switch (pendingSignal) {
      case TERM -> {
        if (tree.terminate()) {
          pendingSignal = Signal.NONE;
        }
      }
      case KILL -> {
        if (tree.kill()) {
          pendingSignal = Signal.NONE;
        }
      }
      case NONE -> {}
    }
  }

  /**
   * Stops what the workload left behind, which would keep the GPUs busy and the output growing:
   * SIGTERM now, SIGKILL after the grace period; the end waits for them at most the grace period
   * and a little more.
   */
  private void beginEnding(List<ProcessHandle> left) {
    phase = Phase.ENDING;
    leftovers = List.copyOf(left);
    if (leftovers.isEmpty()) {
      return; // the usual case: the end follows in this turn
    }
    Duration limit = gracePeriod.plus(END_SLACK);
    addJob(
        context
            .timers()
            .schedule(
                () -> {
                  endDeadlinePassed = true;
                  context.poller().pollSoon(this);
                },
                limit.toNanos(),
                TimeUnit.NANOSECONDS));
    log.debug("task {}: stopping {} leftover processes", taskId, leftovers.size());
    ProcessTree.signal(leftovers, false);
    List<ProcessHandle> toKill = leftovers;
    addJob(
        context
            .timers()
            .schedule(
                guarded(() -> ProcessTree.signal(toKill, true)),
                gracePeriod.toNanos(),
                TimeUnit.NANOSECONDS));
  }

  /** Drains the output, then reports the end. */
  private void end() {
    done = true;
    context.poller().remove(this);
    try {
      outputFiles.drain();
    } catch (IOException e) {
      log.warn("task {}: reading its output failed: {}", taskId, e.toString());
    }
    closeOutputFiles();
    synchronized (jobs) {
      jobs.forEach(job -> job.cancel(false));
    }
    if (devicesBusy) {
      context.backend().workEnded(deviceIndices);
    }
    if (exitStatus.isPresent()) {
      log.info("task {} ended: exit code {}", taskId, exitStatus.getAsInt());
      finish(exitStatus.getAsInt(), endMessage());
    } else {
      log.warn("task {} ended: {}", taskId, lostMessage);
      finish(null, lostMessage);
    }
  }

  private void readOutput(boolean running) {
    try {
      outputFiles.read(running);
    } catch (IOException e) {
      log.warn("task {}: reading its output failed: {}", taskId, e.toString());
    }
  }

  private void takeLine(LogStream stream, String text, long endOffset) {
    // Control lines count on stdout only; on stderr they are ordinary output.
    if (stream == LogStream.LOG_STREAM_STDOUT && ControlLines.isCheckpointed(text)) {
      output.skip(stream, endOffset);
      checkpointed();
    } else {
      output.line(stream, text, endOffset);
    }
  }

  private void closeOutputFiles() {
    try {
      outputFiles.close();
    } catch (IOException e) {
      log.debug("{}", e.toString());
    }
  }

  /** The max-runtime limit and the GPU memory watch of a running supervisor. */
  private void scheduleLimits(Optional<Duration> runtimeLeft) {
    gpuMemoryWatcher()
        .ifPresent(
            watcher ->
                addJob(
                    context
                        .timers()
                        .scheduleWithFixedDelay(
                            guarded(() -> watcher.check().ifPresent(this::overGpuMemoryShare)),
                            context.gpuMemoryCheckInterval().toNanos(),
                            context.gpuMemoryCheckInterval().toNanos(),
                            TimeUnit.NANOSECONDS)));
    runtimeLeft.ifPresent(
        left ->
            addJob(
                context
                    .timers()
                    .schedule(
                        guarded(() -> stop(StopReason.MAX_RUNTIME, gracePeriod)),
                        left.toNanos(),
                        TimeUnit.NANOSECONDS)));
  }

  private void addJob(Future<?> job) {
    synchronized (jobs) {
      jobs.add(job);
    }
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
      persistStopState();
    }
    log.info("task {}: checkpointed after its preemption notice", taskId);
    stop(StopReason.PREEMPTED, gracePeriod);
  }

  /** Records why and how the task is being stopped, for an agent that takes it over. */
  private void persistStopState() {
    assert Thread.holdsLock(this);
    SupervisorDir dir = files;
    if (dir == null) {
      return;
    }
    Properties state = new Properties();
    if (stopReason != null) {
      state.setProperty(STOP_REASON, stopReason.name());
    }
    if (gpuMemoryMessage != null) {
      state.setProperty(GPU_MEMORY_MESSAGE, gpuMemoryMessage);
    }
    if (notice != null) {
      state.setProperty(NOTICE_REASON, notice.reason());
      state.setProperty(NOTICE_DEADLINE, notice.deadline().toString());
    }
    if (checkpointed) {
      state.setProperty(CHECKPOINTED, "true");
    }
    try {
      dir.writeStopState(state);
    } catch (IOException e) {
      log.warn(
          "task {}: cannot record its stop in {}: {}; an agent restarted before its end would"
              + " report it as exited by itself",
          taskId,
          dir.path(),
          e.toString());
    }
  }

  private synchronized void restoreStopState(Properties state) {
    try {
      String reason = state.getProperty(STOP_REASON);
      stopReason = reason == null ? null : StopReason.valueOf(reason);
      gpuMemoryMessage = state.getProperty(GPU_MEMORY_MESSAGE);
      String noticeReason = state.getProperty(NOTICE_REASON);
      String deadline = state.getProperty(NOTICE_DEADLINE);
      if (noticeReason != null && deadline != null) {
        notice = new PreemptionNotice(taskId, noticeReason, Instant.parse(deadline), attempt);
      }
      checkpointed = Boolean.parseBoolean(state.getProperty(CHECKPOINTED));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      log.warn("task {}: ignoring its unreadable stop state: {}", taskId, e.toString());
    }
  }

  private Process launch(Instant startedAt) throws LaunchException {
    if (!spec.hasCommand()) {
      throw new LaunchException(
          "the task spec has no workload: set command, cuda_kernel or diagnostic");
    }
    CommandWorkload workload = spec.getCommand();
    if (workload.getArgvCount() == 0) {
      throw new LaunchException("exec failed: command.argv is empty");
    }
    List<String> uuids = deviceUuids();
    WorkloadUser user;
    try {
      user = context.users().resolve(context.workloads().runAs().orElse(null));
    } catch (IllegalArgumentException e) {
      throw new LaunchException(
          "cannot run the task as the agent's --run-as user: " + e.getMessage());
    }
    boolean switchUser = context.users().isSwitch(user);
    Path taskDirectory = taskDirectory(user, switchUser);
    Path work = taskDirectory.resolve(TaskDirectories.WORK);
    Path directory = workingDirectory(workload, work);
    NoticeFile notices = new NoticeFile(taskDirectory);
    try {
      notices.deleteStale();
    } catch (IOException e) {
      throw new LaunchException(
          "cannot remove the preemption notice of an earlier attempt " + notices.path() + ": " + e);
    }
    noticeFile = notices;
    SupervisorDir dir = new SupervisorDir(taskDirectory);
    List<String> supervisor;
    try {
      supervisor =
          switchUser
              ? Supervisor.command(dir.path(), user, workload.getArgvList())
              : Supervisor.command(dir.path(), workload.getArgvList());
    } catch (IllegalStateException e) {
      throw new LaunchException(e.getMessage());
    }
    ProcessBuilder builder =
        new ProcessBuilder(supervisor)
            .directory(directory.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(NULL_DEVICE))
            // The shell's own words ("Terminated" when the workload dies of SIGTERM) are not the
            // workload's output.
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> environment = builder.environment();
    // Not the agent's environment, which holds its secrets: an allow-list of it.
    environment.clear();
    environment.putAll(
        TaskEnvironment.base(
            context.workloads().agentEnvironment(),
            context.workloads().passEnv(),
            user,
            Files.isDirectory(user.home()) ? user.home() : work,
            taskDirectory.resolve(TaskDirectories.TMP)));
    try {
      environment.putAll(workload.getEnvMap());
    } catch (IllegalArgumentException e) {
      throw new LaunchException("invalid command.env: " + e.getMessage());
    }
    try {
      environment.putAll(command.getEnvMap()); // after the spec's: the controller's values win
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
    String program = workload.getArgv(0);
    Optional<String> problem =
        ExecutableLookup.problem(program, environment.get("PATH"), directory);
    if (problem.isPresent()) {
      throw new LaunchException("exec failed: " + program + ": " + problem.get());
    }
    try {
      // Recorded before the launch: an agent dying right after it still knows the task.
      dir.prepare(command, startedAt, SupervisorDir.RunAs.of(user));
    } catch (IOException e) {
      throw new LaunchException("cannot record the task in " + dir.path() + ": " + e);
    }
    files = dir;
    try {
      return builder.start();
    } catch (IOException e) {
      String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      throw new LaunchException("cannot start the task's supervisor (/bin/sh): " + reason);
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
   * The agent's own directory for the task, {@code stateDir/tasks/<taskId>}, created if missing, as
   * a real path (the supervisor's command line names it, and a restarted agent must find it there
   * however the state dir was spelled): it holds the notice file, the supervisor dir, and the
   * workload's work dir (the working dir when the spec names none) and tmp dir, which belong to the
   * workload's user (see {@link TaskDirectories}).
   */
  private Path taskDirectory(WorkloadUser user, boolean switchUser) throws LaunchException {
    if (!DIRECTORY_SAFE_ID.matcher(taskId).matches()) {
      throw new LaunchException(
          "task id '"
              + taskId
              + "' cannot name a task directory under the agent's state dir"
              + " (letters, digits, '.', '_' and '-' only, not starting with '.', '_' or '-')");
    }
    Path directory = taskDirectory(context.stateDir(), taskId);
    try {
      directory = TaskDirectories.prepareTasks(context.stateDir()).resolve(taskId);
      TaskDirectories.prepare(directory, user, switchUser);
      return directory;
    } catch (IOException | UnsupportedOperationException e) {
      throw new LaunchException("cannot create the task directory " + directory + ": " + e);
    }
  }

  /** Where a task's directory is. */
  static Path taskDirectory(Path stateDir, String taskId) {
    return stateDir.resolve("tasks").resolve(taskId);
  }

  private static Path workingDirectory(CommandWorkload command, Path work) throws LaunchException {
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
    return work;
  }

  private TaskOutput newOutput(long[] offsets) {
    return new TaskOutput(
        taskId,
        context.clock(),
        context.sink(),
        this::recordReportedOffsets,
        context.workloads().outputLimits(),
        offsets);
  }

  private TaskOutputFiles newOutputFiles(long[] offsets) {
    return new TaskOutputFiles(
        taskId,
        files,
        offsets,
        output,
        context.workloads().outputLimits().fileBytes(),
        this::takeLine);
  }

  private void recordReportedOffsets(long stdoutOffset, long stderrOffset, long sentBytes) {
    try {
      files.writeReportedOffsets(stdoutOffset, stderrOffset, sentBytes);
    } catch (IOException e) {
      log.debug("task {}: cannot record how far its output was reported: {}", taskId, e.toString());
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
    SupervisorDir dir = files;
    if (dir != null) {
      try {
        dir.markReported();
      } catch (IOException e) {
        log.warn(
            "task {}: cannot mark its end reported in {}: {}; a restarted agent may report it again",
            taskId,
            dir.path(),
            e.toString());
      }
    }
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
