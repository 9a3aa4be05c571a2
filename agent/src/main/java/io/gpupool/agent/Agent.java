package io.gpupool.agent;

import com.codahale.metrics.MetricRegistry;
import io.gpupool.agent.cuda.CudaDriverSource;
import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.agent.device.DeviceBackendException;
import io.gpupool.agent.device.DeviceBackends;
import io.gpupool.agent.device.NvmlLocator;
import io.gpupool.agent.session.AgentSession;
import io.gpupool.agent.session.NodeIdentity;
import io.gpupool.agent.session.SessionSettings;
import io.gpupool.agent.session.TaskCommands;
import io.gpupool.agent.session.UpdateSpool;
import io.gpupool.agent.workload.TaskRunner;
import io.gpupool.agent.workload.WorkloadUser;
import io.gpupool.proto.v1.CancelTaskCommand;
import io.gpupool.proto.v1.PreemptTaskCommand;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskUpdate;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node agent: its identity, its devices, the tasks it runs and its session with the
 * controller.
 *
 * <p>Thread-safe. Tasks keep running while the controller is unreachable (up to {@link
 * AgentConfig#stopWorkAfterDisconnect()} when set); their updates are delivered when the session is
 * back. Command tasks also outlive the agent process: an agent started on the same state dir takes
 * over those still running and reports those that ended meanwhile (see {@link
 * TaskRunner#reattach()}); a graceful {@link #close()} stops them instead.
 */
public final class Agent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Duration CHANNEL_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  private final String nodeId;
  private final DeviceBackend backend;
  private final ManagedChannel channel;
  private final TaskRunner runner;
  private final AgentSession session;
  private final AgentMetrics metrics;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);

  private Agent(
      AgentConfig config,
      String nodeId,
      DeviceBackend backend,
      ManagedChannel channel,
      UpdateSpool spool) {
    this.nodeId = nodeId;
    this.backend = backend;
    this.channel = channel;
    this.runner =
        new TaskRunner(
            backend,
            config.stateDir(),
            config.clock(),
            this::publish,
            cudaFor(backend),
            config.sampleInterval(),
            config.workloadSettings());
    this.metrics = new AgentMetrics(() -> runner.runningTaskIds().size());
    this.session =
        new AgentSession(
            new SessionSettings(
                nodeId,
                config.nodeName(),
                config.joinToken(),
                AgentVersion.get(),
                config.heartbeatInterval(),
                config.sampleInterval(),
                config.reconnectBackoffMin(),
                config.reconnectBackoffMax(),
                config.labels(),
                config.stopWorkAfterDisconnect()),
            channel,
            backend,
            new RunnerCommands(runner),
            config.clock(),
            new Random(),
            spool,
            metrics.registry());
    // Before the session starts: its hello must name the tasks taken over, and their updates need
    // a session to go to.
    runner.reattach();
  }

  /**
   * Starts an agent: loads (or creates) the node identity in the state dir, selects the device
   * backend, takes over the command tasks an earlier agent process on the state dir left running
   * (and reports those that ended meanwhile), registers with the controller (retrying with backoff
   * while it is unreachable) and opens the session, whose hello names the tasks taken over.
   *
   * @throws AgentStartException when the state dir is unusable, tasks cannot run as {@link
   *     AgentConfig#runAs()} (no such user, the agent is not root, the user cannot reach the state
   *     dir), no device backend fits (no NVIDIA driver and no simulate spec), the controller
   *     refused the join token or the registration, or the calling thread was interrupted; nothing
   *     is left running (tasks taken over are stopped like at {@link #close()}, since the
   *     controller, unable to hear from this node, will give their work to another)
   */
  public static Agent start(AgentConfig config) throws AgentStartException {
    String nodeId;
    UpdateSpool spool;
    try {
      nodeId = NodeIdentity.loadOrCreate(config.stateDir());
      spool = UpdateSpool.open(config.stateDir().resolve("outbox"));
    } catch (IOException e) {
      throw new AgentStartException(
          "cannot use the state dir " + config.stateDir() + " (--state-dir): " + e.getMessage(), e);
    }
    checkWorkloadUser(config);
    DeviceBackend backend;
    try {
      backend =
          DeviceBackends.select(
              config.simulate(),
              config.nvmlLibrary().orElse(null),
              NvmlLocator.systemDefault(System.getenv("LD_LIBRARY_PATH")),
              nodeId);
    } catch (DeviceBackendException e) {
      throw new AgentStartException(e.getMessage(), e);
    }
    if (backend.isSimulated()) {
      log.warn("node {} runs SIMULATED devices: {}", nodeId, backend.description());
    } else {
      log.info("node {}: {}", nodeId, backend.description());
      backend = CrossCheckedBackend.of(backend, cudaFor(backend));
    }
    ManagedChannel channel;
    try {
      channel = config.channelFactory().apply(config.controllerTarget());
    } catch (RuntimeException e) {
      backend.close();
      throw new AgentStartException(
          "cannot use the controller address '"
              + config.controllerTarget()
              + "' (--controller): "
              + e.getMessage(),
          e);
    }
    Agent agent = new Agent(config, nodeId, backend, channel, spool);
    try {
      agent.session.start().get();
      return agent;
    } catch (ExecutionException e) {
      agent.close();
      throw new AgentStartException(
          e.getCause().getMessage() + " (controller " + config.controllerTarget() + ")",
          e.getCause());
    } catch (InterruptedException e) {
      agent.close();
      Thread.currentThread().interrupt();
      throw new AgentStartException(
          "interrupted while registering with the controller at " + config.controllerTarget(), e);
    }
  }

  /** Refuses to start when tasks could not run as configured; says whom they run as. */
  private static void checkWorkloadUser(AgentConfig config) throws AgentStartException {
    WorkloadUser user;
    try {
      user = TaskRunner.checkWorkloadUser(config.stateDir(), config.workloadSettings());
    } catch (IllegalArgumentException e) {
      throw new AgentStartException(e.getMessage(), e);
    } catch (IOException e) {
      throw new AgentStartException(
          "cannot create the task directories in the state dir "
              + config.stateDir()
              + " (--state-dir): "
              + e.getMessage(),
          e);
    }
    if (user.isRoot() && config.runAs().isPresent()) {
      log.warn(
          "tasks run as root (--run-as {}): any task can take this machine over; run them as an"
              + " unprivileged user unless you trust every task",
          config.runAs().get());
    } else {
      log.info("tasks run as {} (uid {})", user.name(), user.uid());
    }
  }

  private static CudaDriverSource cudaFor(DeviceBackend backend) {
    return backend.isSimulated()
        ? CudaDriverSource.unavailable(
            "this node runs simulated GPUs (--simulate): CUDA kernels and diagnostics need a real"
                + " GPU")
        : CudaDriverSource.jcuda();
  }

  /** The node's id, kept in the state dir across restarts. */
  public String nodeId() {
    return nodeId;
  }

  /** The node's devices; {@link DeviceBackend#description()} gives a one-line summary. */
  public DeviceBackend devices() {
    return backend;
  }

  /**
   * The agent's metrics (also over JMX, domain {@code gpupool.agent}): {@code gpupool.agent.sample}
   * (timer, one device sample), {@code gpupool.agent.heartbeats} (meter, sent) and {@code
   * gpupool.agent.tasks.running} (gauge). Thread-safe.
   */
  public MetricRegistry metrics() {
    return metrics.registry();
  }

  /**
   * True while the session stream is open and the controller accepted its hello (it sent something
   * on the stream, or the stream survived one heartbeat interval).
   */
  public boolean isConnected() {
    return session.isConnected();
  }

  /**
   * Stops the agent: kills the running tasks (SIGTERM, then SIGKILL after each task's grace
   * period), sends their last updates if the controller is reachable, ends the session, releases
   * the device backend (NVML shutdown) and shuts the channel down. Idempotent; blocks until done.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    try {
      runner.close();
      session.close();
      backend.close();
      metrics.close();
      channel.shutdown();
      if (!channel.awaitTermination(CHANNEL_SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      terminated.countDown();
      log.info("node {} stopped", nodeId);
    }
  }

  /** Blocks until {@link #close()} finished. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  private void publish(TaskUpdate update) {
    session.publish(update);
  }

  /** Hands the controller's commands to the task runner. */
  private static final class RunnerCommands implements TaskCommands {

    private final TaskRunner runner;

    RunnerCommands(TaskRunner runner) {
      this.runner = runner;
    }

    @Override
    public void start(StartTask command) {
      runner.start(command);
    }

    @Override
    public void cancel(CancelTaskCommand command) {
      Duration grace = command.hasGracePeriod() ? duration(command.getGracePeriod()) : null;
      runner.cancel(command.getTaskId(), grace);
    }

    @Override
    public void preempt(PreemptTaskCommand command) {
      // An unset notice period gives no notice time: SIGTERM follows the notice at once.
      runner.preempt(command.getTaskId(), command.getReason(), duration(command.getNoticePeriod()));
    }

    @Override
    public Set<String> runningTaskIds() {
      return runner.runningTaskIds();
    }

    private static Duration duration(com.google.protobuf.Duration duration) {
      return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
    }
  }
}
