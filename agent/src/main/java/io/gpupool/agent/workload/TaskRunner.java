package io.gpupool.agent.workload;

import io.gpupool.agent.cuda.CudaDriverSource;
import io.gpupool.agent.cuda.Diagnostics;
import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskSpec;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tasks the controller assigns to this node and reports their updates to a sink: command
 * workloads as processes, cuda_kernel and diagnostic workloads in the agent through the CUDA
 * driver.
 *
 * <p>Each attempt of a task runs at most once: a start is ignored while the task runs and when its
 * attempt is not newer than the last one started (a resent start), so a task preempted here can
 * come back as its next attempt. A cancel or preempt of an unknown or finished task is ignored.
 * While a task runs, its devices are marked busy in the device backend.
 *
 * <p>A command workload runs as the configured user ({@link WorkloadSettings#runAs()}; the agent's
 * own by default), in {@code stateDir/tasks/<taskId>/work/} unless its spec names a working_dir
 * (which that user must be able to use), from an environment that holds none of the agent's own
 * variables but an allow-list (PATH, HOME, USER, LOGNAME, TMPDIR, LANG, LC_*, TZ; see {@link
 * WorkloadSettings#agentEnvironment()}). Its output is capped ({@link OutputLimits}).
 *
 * <p>Every task gets {@code GPUPOOL_TASK_ID}, {@code GPUPOOL_ATTEMPT}, {@code
 * CUDA_VISIBLE_DEVICES}, {@code GPUPOOL_GPU_UUIDS} and {@code GPUPOOL_NOTICE_FILE} in its
 * environment, on top of the spec's env and then the controller's (whose values win over the
 * spec's). The notice file lives in {@code stateDir/tasks/<taskId>/} whatever the working dir, and
 * exists only once the task is preempted. A task with a GPU share also gets {@code
 * GPUPOOL_GPU_MEMORY_BYTES} (and the MPS limits where an MPS daemon runs).
 *
 * <p>A command task runs under a {@link Supervisor} (a small {@code sh} in a session of its own)
 * that keeps its output and exit status in files under {@code stateDir/tasks/<taskId>/.gpupool/}
 * (see {@link SupervisorDir}), so it survives the agent process: an agent started again on the same
 * state dir calls {@link #reattach()} before anything else, which follows the tasks still running
 * and reports those that ended meanwhile, each end exactly once. A few output lines sent just
 * before the earlier agent died may be sent again; CUDA work runs in the agent and dies with it.
 *
 * <p>Thread-safe. {@link #close()} stops every running task and waits for their ended updates.
 */
public final class TaskRunner implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);

  /** How long close() waits for the tasks beyond their grace periods. */
  private static final Duration CLOSE_SLACK = Duration.ofSeconds(5);

  private final RunnerContext context;

  /** The last attempt started of every task seen. */
  private final Map<String, Integer> startedAttempts = new HashMap<>(); // guarded by this

  private final Map<String, Execution> running = new HashMap<>(); // guarded by this
  private boolean closed; // guarded by this

  /** How often a task with a GPU share has its GPU memory checked unless told otherwise. */
  public static final Duration DEFAULT_GPU_MEMORY_CHECK_INTERVAL = Duration.ofSeconds(1);

  /**
   * Creates a runner that loads the CUDA driver through JCuda when the first CUDA task comes (none
   * on simulated devices) and checks GPU shares every second; it starts its threads lazily.
   *
   * @param backend the node's devices: their UUIDs go to the workload, their busy state is updated
   * @param stateDir the agent's state dir; a task without working_dir runs in {@code
   *     stateDir/tasks/<taskId>/work/}
   * @param clock time stamps of the updates
   * @param sink receives every update; see {@link TaskUpdateSink} for the order guarantees
   */
  public TaskRunner(DeviceBackend backend, Path stateDir, Clock clock, TaskUpdateSink sink) {
    this(
        backend,
        stateDir,
        clock,
        sink,
        backend.isSimulated()
            ? CudaDriverSource.unavailable(
                "this agent's GPUs are simulated: it cannot run cuda_kernel or diagnostic tasks")
            : CudaDriverSource.jcuda(),
        DEFAULT_GPU_MEMORY_CHECK_INTERVAL);
  }

  /**
   * Creates a runner; it starts its threads lazily.
   *
   * @param backend the node's devices: their UUIDs go to the workload, their busy state is updated,
   *     their compute processes are watched for tasks with a GPU share
   * @param stateDir the agent's state dir; a task without working_dir runs in {@code
   *     stateDir/tasks/<taskId>/work/}
   * @param clock time stamps of the updates
   * @param sink receives every update; see {@link TaskUpdateSink} for the order guarantees
   * @param cuda the CUDA driver of cuda_kernel and diagnostic tasks, asked for when one starts
   * @param gpuMemoryCheckInterval how often a task with Resources.gpu_memory_bytes has its GPU
   *     memory checked (e.g. the agent's sample interval)
   */
  public TaskRunner(
      DeviceBackend backend,
      Path stateDir,
      Clock clock,
      TaskUpdateSink sink,
      CudaDriverSource cuda,
      Duration gpuMemoryCheckInterval) {
    this(backend, stateDir, clock, sink, cuda, gpuMemoryCheckInterval, WorkloadSettings.defaults());
  }

  /**
   * Creates a runner whose command workloads run as configured; it starts its threads lazily.
   *
   * @param workloads whom command workloads run as (see {@link #checkWorkloadUser}), what of the
   *     agent's environment they get, and how much output they may send
   * @see #TaskRunner(DeviceBackend, Path, Clock, TaskUpdateSink, CudaDriverSource, Duration)
   */
  public TaskRunner(
      DeviceBackend backend,
      Path stateDir,
      Clock clock,
      TaskUpdateSink sink,
      CudaDriverSource cuda,
      Duration gpuMemoryCheckInterval,
      WorkloadSettings workloads) {
    this(
        backend,
        stateDir,
        clock,
        sink,
        cuda,
        gpuMemoryCheckInterval,
        MpsControl.fromEnvironment(workloads.agentEnvironment()),
        workloads,
        WorkloadUsers.system());
  }

  TaskRunner(
      DeviceBackend backend,
      Path stateDir,
      Clock clock,
      TaskUpdateSink sink,
      CudaDriverSource cuda,
      Duration gpuMemoryCheckInterval,
      MpsControl mps) {
    this(
        backend,
        stateDir,
        clock,
        sink,
        cuda,
        gpuMemoryCheckInterval,
        mps,
        WorkloadSettings.defaults(),
        WorkloadUsers.system());
  }

  TaskRunner(
      DeviceBackend backend,
      Path stateDir,
      Clock clock,
      TaskUpdateSink sink,
      CudaDriverSource cuda,
      Duration gpuMemoryCheckInterval,
      MpsControl mps,
      WorkloadSettings workloads,
      WorkloadUsers users) {
    if (gpuMemoryCheckInterval.toNanos() <= 0) {
      throw new IllegalArgumentException(
          "gpuMemoryCheckInterval must be positive: " + gpuMemoryCheckInterval);
    }
    ExecutorService io = Executors.newCachedThreadPool(daemonThreads("gpupool-task-io-"));
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(1, daemonThreads("gpupool-task-timer-"));
    // A task that ends long before its max_runtime must not leave its timer queued until then.
    timers.setRemoveOnCancelPolicy(true);
    this.context =
        new RunnerContext(
            backend,
            stateDir,
            clock,
            sink,
            io,
            timers,
            new TaskPoller(timers),
            cuda,
            gpuMemoryCheckInterval,
            mps,
            workloads,
            users);
  }

  /**
   * Checks before the first task that workloads can run as configured: the run-as user exists, the
   * agent may start processes as it (it is the agent's own user, or the agent is root), setpriv is
   * installed when the user is another, and that user can reach the task directories under {@code
   * stateDir/tasks} (created here, passable for others).
   *
   * @return the user workloads run as
   * @throws IllegalArgumentException when they cannot, with a message that says why and what to do
   *     (naming {@code --run-as} or {@code --state-dir})
   * @throws IOException when the task directories cannot be created
   */
  public static WorkloadUser checkWorkloadUser(Path stateDir, WorkloadSettings workloads)
      throws IOException {
    WorkloadUsers users = WorkloadUsers.system();
    WorkloadUser user;
    try {
      user = users.resolve(workloads.runAs().orElse(null));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--run-as: " + e.getMessage(), e);
    }
    Path tasks = TaskDirectories.prepareTasks(stateDir);
    if (users.isSwitch(user)) {
      TaskDirectories.checkReachable(tasks, user);
    }
    return user;
  }

  /**
   * Takes over the command tasks that an earlier agent process on this state dir left behind: every
   * {@code stateDir/tasks/<taskId>} whose supervisor dir records a launch whose end was not
   * reported. A task whose supervisor still runs (its pid alive and its command line naming the
   * task's dir, so a reused pid does not count) is followed as if this runner had started it: its
   * output from where the earlier agent stopped reporting, its max_runtime from the recorded start,
   * a stop or preemption notice in progress carried on; cancel and preempt reach it. A task whose
   * supervisor ended meanwhile is reported ended with the recorded exit status and the output not
   * yet reported; one whose supervisor died without recording it (killed, or the machine rebooted)
   * is reported ended without exit code, as lost. Either way its leftover processes are stopped. A
   * launch the earlier agent recorded but whose supervisor never wrote its pid never ran: it is
   * forgotten, so that the controller can start it again.
   *
   * <p>Call once, before the first {@link #start} and before the session sends its hello: the tasks
   * taken over count as running (see {@link #runningTaskIds()}) until their ended update is in the
   * sink. A resent start of an attempt taken over, or of one whose end was reported before, is
   * ignored. Unreadable task dirs are logged and skipped.
   *
   * @return the ids of the tasks taken over, running or ended
   */
  public synchronized Set<String> reattach() {
    Path tasks = context.stateDir().resolve("tasks");
    if (closed || !Files.isDirectory(tasks)) {
      return Set.of();
    }
    Set<String> taken = new TreeSet<>();
    try (DirectoryStream<Path> directories = Files.newDirectoryStream(tasks)) {
      for (Path directory : directories) {
        if (reattach(directory)) {
          taken.add(directory.getFileName().toString());
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      log.warn("cannot look for the tasks of an earlier agent in {}: {}", tasks, e.toString());
    }
    if (!taken.isEmpty()) {
      log.info("took over {} tasks an earlier agent process started: {}", taken.size(), taken);
    }
    return taken;
  }

  private boolean reattach(Path directory) {
    String taskId = directory.getFileName().toString();
    Path taskDirectory;
    try {
      taskDirectory = directory.toRealPath();
    } catch (IOException e) {
      return false;
    }
    SupervisorDir files = new SupervisorDir(taskDirectory);
    if (!Files.isDirectory(taskDirectory) || !files.hasRecord()) {
      return false;
    }
    if (files.isReported()) {
      files.reportedAttempt().ifPresent(a -> startedAttempts.merge(taskId, a, Math::max));
      return false;
    }
    SupervisorDir.LaunchRecord record;
    try {
      record = files.readRecord();
    } catch (IOException e) {
      log.warn("cannot take over the task in {}: {}", taskDirectory, e.toString());
      return false;
    }
    if (!record.command().getTaskId().equals(taskId)) {
      log.warn(
          "not taking over the task in {}: it records task {}",
          taskDirectory,
          record.command().getTaskId());
      return false;
    }
    if (running.containsKey(taskId)) {
      return false;
    }
    if (files.pid().isEmpty()) {
      // Its first act is to write its pid: the workload never ran, and the controller may start
      // this attempt again.
      log.info("task {}: the earlier agent died while launching it; forgetting it", taskId);
      try {
        files.forget();
      } catch (IOException e) {
        log.warn("cannot clear {}: {}", files.path(), e.toString());
      }
      return false;
    }
    startedAttempts.merge(taskId, CommandExecution.attemptOf(record.command()), Math::max);
    CommandExecution execution =
        new CommandExecution(
            record.command(), context.forAttempt(CommandExecution.attemptOf(record.command())));
    running.put(taskId, execution);
    execution.ended().thenRun(() -> forget(taskId, execution));
    execution.reattach(taskDirectory, files, record.startedAt(), record.runAs());
    return true;
  }

  /**
   * Starts the first attempt of a task without environment from the controller; see {@link
   * #start(StartTask)}.
   *
   * @param taskId the controller's task id
   * @param spec what to run
   * @param deviceIndices the assigned devices
   * @return false when the task is running or was started before, or the runner is closed, and
   *     nothing was done
   */
  public boolean start(String taskId, TaskSpec spec, List<Integer> deviceIndices) {
    return start(
        StartTask.newBuilder()
            .setTaskId(taskId)
            .setSpec(spec)
            .addAllDeviceIndices(deviceIndices)
            .setAttempt(1)
            .build());
  }

  /**
   * Starts an attempt of a task. A task that cannot run (bad working_dir, unknown device, program
   * not found) still counts as started here: its failure arrives as an ended update.
   *
   * @param command the task id, spec, devices, attempt (0 means 1) and extra environment
   * @return false when the task is running, or this attempt is not newer than the last one started,
   *     or the runner is closed, and nothing was done
   */
  public synchronized boolean start(StartTask command) {
    String taskId = command.getTaskId();
    int attempt = CommandExecution.attemptOf(command);
    if (closed) {
      log.warn("ignoring start of task {}: the agent is shutting down", taskId);
      return false;
    }
    if (running.containsKey(taskId)) {
      log.info("ignoring start of task {} (attempt {}): it is running", taskId, attempt);
      return false;
    }
    Integer last = startedAttempts.get(taskId);
    if (last != null && attempt <= last) {
      log.info(
          "ignoring start of task {} (attempt {}): attempt {} was started already",
          taskId,
          attempt,
          last);
      return false;
    }
    startedAttempts.put(taskId, attempt);
    Execution execution = create(command);
    running.put(taskId, execution);
    execution.ended().thenRun(() -> forget(taskId, execution));
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
    Execution execution;
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

  /**
   * Preempts a running task: writes the notice (reason, deadline, attempt) to its {@code
   * GPUPOOL_NOTICE_FILE}, sends SIGUSR1 to its main process (not to the rest of its tree), and
   * stops its process tree (SIGTERM, then SIGKILL after the task's kill grace period) as soon as it
   * prints {@code ##gpupool checkpointed} on stdout, or at the deadline otherwise. The ended update
   * says preempted, with the message {@code "preempted: <reason>"}, followed by {@code "
   * (checkpointed)"} when it checkpointed; a task that exits by itself after the notice is reported
   * preempted too, with its own exit code. A cancel during the notice period wins: the ended update
   * then says cancelled, not preempted.
   *
   * <p>Returns after the notice is written and the signal sent (milliseconds); failing to do either
   * is logged, and the deadline still holds.
   *
   * @param reason why, in words, for the workload and the ended message
   * @param noticePeriod time from the notice to SIGTERM; zero or negative means SIGTERM right after
   *     the notice
   * @return false when the task is not running (unknown or finished), already preempted, or being
   *     stopped, and nothing was done
   */
  public boolean preempt(String taskId, String reason, Duration noticePeriod) {
    Execution execution;
    synchronized (this) {
      execution = running.get(taskId);
    }
    if (execution == null) {
      log.info("ignoring preempt of task {}: it is not running", taskId);
      return false;
    }
    if (!execution.preempt(reason, noticePeriod)) {
      log.info("ignoring preempt of task {}: it already has notice or is stopping", taskId);
      return false;
    }
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
    List<Execution> stopping;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stopping = new ArrayList<>(running.values());
    }
    Duration longestGrace = Duration.ZERO;
    for (Execution execution : stopping) {
      execution.stop(StopReason.SHUTDOWN, execution.gracePeriod());
      if (execution.gracePeriod().compareTo(longestGrace) > 0) {
        longestGrace = execution.gracePeriod();
      }
    }
    Duration limit = longestGrace.plus(CLOSE_SLACK).plus(CLOSE_SLACK);
    try {
      CompletableFuture.allOf(
              stopping.stream().map(Execution::ended).toArray(CompletableFuture[]::new))
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

  /**
   * For tests: stops the runner as if the agent process had been killed (SIGKILL). The tasks go on
   * running under their supervisors, nothing more is reported, nothing is marked; a runner created
   * later on the same state dir can {@link #reattach()} them.
   */
  void abandon() {
    synchronized (this) {
      closed = true;
    }
    context.timers().shutdownNow();
    context.io().shutdownNow();
    try {
      if (!context.timers().awaitTermination(CLOSE_SLACK.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("the runner's timer thread did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The execution of the spec's workload kind; a spec without one fails as a command would. */
  private Execution create(StartTask command) {
    List<Integer> indices = command.getDeviceIndicesList();
    TaskSpec spec = command.getSpec();
    RunnerContext context = this.context.forAttempt(CommandExecution.attemptOf(command));
    return switch (spec.getWorkloadCase()) {
      case CUDA_KERNEL ->
          new CudaExecution(
              command,
              context,
              new KernelJob(spec.getCudaKernel(), indices, context.backend().devices()));
      case DIAGNOSTIC ->
          new CudaExecution(
              command,
              context,
              new DiagnosticJob(
                  spec.getDiagnostic(), indices, context.backend(), Diagnostics::new));
      case COMMAND, WORKLOAD_NOT_SET -> new CommandExecution(command, context);
    };
  }

  private synchronized void forget(String taskId, Execution execution) {
    running.remove(taskId, execution);
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
