package io.gpupool.agent.session;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.AgentServiceGrpc;
import io.gpupool.proto.v1.ConnectRequest;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.RegisterResponse;
import io.gpupool.proto.v1.TaskUpdate;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's session with the controller.
 *
 * <p>Registers with the join token, then keeps one {@code Connect} stream open: a hello first
 * (carrying this process's instance id and the tasks it knows), a heartbeat with the latest device
 * samples (taken every sample interval on a thread of their own) every heartbeat interval, and
 * every task update {@link #publish published} to it, in order. Updates stay in the {@link
 * UpdateOutbox} until acknowledged and are resent, in order, right after the hello of every new
 * stream. When the stream fails or ends, the session reconnects after an exponential backoff with
 * full jitter (reset once the controller accepted the hello), and registers again first when the
 * controller refused the node credential. Commands from the controller go to {@link TaskCommands}.
 * With {@link SessionSettings#stopWorkAfterDisconnect()} set, the running tasks are stopped once
 * the controller has been away that long (see {@link DisconnectLimit}).
 *
 * <p>Thread-safe. All session state lives on one thread, which also does every send, since a gRPC
 * outbound stream must not be written from two threads at once.
 */
public final class AgentSession implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AgentSession.class);
  private static final Duration REGISTER_DEADLINE = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final int FAILURES_PER_WARNING = 50;

  /** Failures of Register worth retrying at start; any other failure refuses the start. */
  private static final Set<Status.Code> TRANSIENT =
      EnumSet.of(
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.ABORTED);

  private final SessionSettings settings;
  private final AgentServiceGrpc.AgentServiceStub stub;
  private final DeviceBackend backend;
  private final DeviceSampler sampler;
  private final Meter heartbeatsSent;
  private final TaskCommands commands;
  private final Clock clock;
  private final UpdateOutbox outbox;
  private final DisconnectLimit disconnectLimit; // null: tasks run on however long the outage
  private final ScheduledExecutorService thread;
  private final CompletableFuture<Void> started = new CompletableFuture<>();

  /** Scopes the update ids: the controller starts over when it sees a new instance. */
  private final String instanceId;

  // Confined to `thread`.
  private final Backoff backoff;
  private String credential;
  private Duration heartbeatInterval;
  private StreamObserver<ConnectRequest> requests;
  private long generation;
  private long lastSentId;
  private ScheduledFuture<?> heartbeats;
  private int failuresInARow;

  private volatile boolean accepted;
  private volatile boolean closed;

  /**
   * Creates the session; nothing happens before {@link #start()}.
   *
   * @param channel the channel to the controller, owned by the caller
   * @param backend the node's devices, registered and sampled for heartbeats; owned by the caller
   * @param commands receives the controller's commands
   * @param clock time of the heartbeats
   * @param random jitter of the reconnect backoff
   * @param spool where unacknowledged updates are kept across restarts (with the instance id they
   *     are numbered in); null keeps them in memory, under a new instance id
   */
  public AgentSession(
      SessionSettings settings,
      Channel channel,
      DeviceBackend backend,
      TaskCommands commands,
      Clock clock,
      Random random,
      UpdateSpool spool) {
    this(settings, channel, backend, commands, clock, random, spool, new MetricRegistry());
  }

  /**
   * A session that records its sampling cost ({@code gpupool.agent.sample}) and the heartbeats it
   * sends ({@code gpupool.agent.heartbeats}) in {@code metrics}; otherwise as above.
   */
  public AgentSession(
      SessionSettings settings,
      Channel channel,
      DeviceBackend backend,
      TaskCommands commands,
      Clock clock,
      Random random,
      UpdateSpool spool,
      MetricRegistry metrics) {
    this.heartbeatsSent = metrics.meter("gpupool.agent.heartbeats");
    this.outbox = spool == null ? new UpdateOutbox() : new UpdateOutbox(spool);
    this.instanceId = spool == null ? UUID.randomUUID().toString() : spool.instanceId();
    this.settings = settings;
    this.stub = AgentServiceGrpc.newStub(channel);
    this.backend = backend;
    this.sampler =
        new DeviceSampler(
            backend, settings.sampleInterval(), metrics.timer("gpupool.agent.sample"));
    this.commands = commands;
    this.clock = clock;
    this.backoff = new Backoff(settings.backoffMin(), settings.backoffMax(), random);
    this.heartbeatInterval = settings.heartbeatInterval();
    this.disconnectLimit =
        settings
            .stopWorkAfterDisconnect()
            .map(d -> new DisconnectLimit(d, clock, commands))
            .orElse(null);
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread t = new Thread(runnable, "gpupool-agent-session");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Registers and opens the stream, retrying while the controller is unreachable.
   *
   * @return completes once registered and the hello is sent; fails with {@link
   *     SessionStartException} when the controller refuses the registration (a wrong join token
   *     above all) or the session is closed first
   */
  public CompletableFuture<Void> start() {
    sampler.start();
    if (disconnectLimit != null) {
      long checkNanos = disconnectLimit.checkInterval().toNanos();
      thread.scheduleWithFixedDelay(
          () -> run(disconnectLimit::check), checkNanos, checkNanos, TimeUnit.NANOSECONDS);
    }
    run(this::register);
    return started;
  }

  /**
   * Queues a task update for the controller: numbers it, keeps it until acknowledged and sends it
   * as soon as a stream is open. Never blocks on the network.
   */
  public void publish(TaskUpdate update) {
    outbox.add(disconnectLimit == null ? update : disconnectLimit.rewrite(update));
    run(this::sendPending);
  }

  /**
   * Id of this agent instance, sent in every hello; update ids count within it. With a spool it is
   * kept across restarts of the agent (the spool's numbering goes on); without, it is new per
   * process.
   */
  public String instanceId() {
    return instanceId;
  }

  /**
   * True while a stream is open whose hello the controller accepted (it answers a hello with
   * hello_accepted before anything else).
   */
  public boolean isConnected() {
    return accepted;
  }

  /** The outbox, for diagnostics and tests. */
  UpdateOutbox outbox() {
    return outbox;
  }

  /**
   * Sends what is still pending, ends the stream and stops the session thread. Unacknowledged
   * updates are lost with the process, as the controller will learn when the node reconnects.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    Future<?> goodbye =
        thread.submit(
            () -> {
              closed = true;
              sendPending();
              endStream();
              if (requests != null) {
                requests.onCompleted();
                requests = null;
              }
            });
    try {
      goodbye.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("closing the session did not finish cleanly: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closed = true;
      thread.shutdownNow();
      sampler.close();
      started.completeExceptionally(new SessionStartException("the agent was closed"));
    }
  }

  private void register() {
    if (closed) {
      return;
    }
    RegisterRequest.Builder request =
        RegisterRequest.newBuilder()
            .setJoinToken(settings.joinToken())
            .setNodeId(settings.nodeId())
            .setNodeName(settings.nodeName())
            .setAgentVersion(settings.agentVersion())
            .setDriverVersion(backend.driverVersion())
            .setCudaDriverVersion(backend.cudaDriverVersion())
            .putAllLabels(settings.labels());
    backend.devices().forEach(d -> request.addDevices(DeviceMessages.info(d)));
    stub.withDeadlineAfter(REGISTER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .register(
            request.build(),
            new StreamObserver<>() {
              @Override
              public void onNext(RegisterResponse response) {
                run(() -> registered(response));
              }

              @Override
              public void onError(Throwable t) {
                Status status = Status.fromThrowable(t);
                run(() -> registerFailed(status));
              }

              @Override
              public void onCompleted() {}
            });
  }

  private void registered(RegisterResponse response) {
    if (closed) {
      return;
    }
    credential = response.getNodeCredential();
    heartbeatInterval =
        response.hasHeartbeatInterval() && Durations.toNanos(response.getHeartbeatInterval()) > 0
            ? Duration.ofNanos(Durations.toNanos(response.getHeartbeatInterval()))
            : settings.heartbeatInterval();
    log.info(
        "registered as node {} ({}), heartbeat every {}",
        settings.nodeId(),
        settings.nodeName(),
        heartbeatInterval);
    connect();
  }

  private void registerFailed(Status status) {
    if (closed) {
      return;
    }
    if (!started.isDone() && !TRANSIENT.contains(status.getCode())) {
      String reason = describe(status);
      String message =
          status.getCode() == Status.Code.UNAUTHENTICATED
              ? "the controller refused the join token (--join-token): " + reason
              : "the controller refused the registration: " + reason;
      started.completeExceptionally(new SessionStartException(message));
      return;
    }
    if (status.getCode() == Status.Code.UNAUTHENTICATED) {
      log.error("the controller refused the join token: {}; trying again", describe(status));
    } else {
      logFailure("cannot register with the controller", status);
    }
    retryLater(this::register);
  }

  private void connect() {
    if (closed) {
      return;
    }
    long streamGeneration = ++generation;
    requests = stub.connect(new Responses(streamGeneration));
    send(ConnectRequest.newBuilder().setHello(hello()).build());
    lastSentId = outbox.lastAcknowledged();
    sendPending();
    sendHeartbeat();
    long intervalNanos = heartbeatInterval.toNanos();
    heartbeats =
        thread.scheduleAtFixedRate(
            this::heartbeatTick, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
    started.complete(null);
  }

  private AgentHello hello() {
    // Running tasks first: a task ending in between has put its ended update in the outbox by the
    // time it stops counting as running, so it is in one of the two sets.
    Set<String> known = new TreeSet<>(commands.runningTaskIds());
    known.addAll(outbox.taskIds());
    return AgentHello.newBuilder()
        .setNodeId(settings.nodeId())
        .setNodeCredential(credential)
        .setInstanceId(instanceId)
        .addAllKnownTaskIds(known)
        .build();
  }

  private void heartbeatTick() {
    if (requests == null) {
      return;
    }
    try {
      sendHeartbeat();
    } catch (RuntimeException e) {
      log.warn("sending a heartbeat failed", e);
    }
  }

  private void sendHeartbeat() {
    Heartbeat.Builder heartbeat =
        Heartbeat.newBuilder().setTime(Timestamps.fromMillis(clock.millis()));
    sampler.latest().forEach(s -> heartbeat.addDevices(DeviceMessages.status(s)));
    send(ConnectRequest.newBuilder().setHeartbeat(heartbeat).build());
    heartbeatsSent.mark();
  }

  private void sendPending() {
    if (requests == null) {
      return;
    }
    for (TaskUpdate update : outbox.after(lastSentId)) {
      send(ConnectRequest.newBuilder().setTaskUpdate(update).build());
      lastSentId = update.getUpdateId();
    }
  }

  private void send(ConnectRequest request) {
    requests.onNext(request);
  }

  /** Logs the first of a run of failed attempts, then only every so often, to keep logs usable. */
  private void logFailure(String what, Status status) {
    failuresInARow++;
    if (failuresInARow == 1 || failuresInARow % FAILURES_PER_WARNING == 0) {
      log.warn("{} ({}), attempt {}; retrying", what, describe(status), failuresInARow);
    } else {
      log.debug("{} ({}), attempt {}; retrying", what, describe(status), failuresInARow);
    }
  }

  private void markAccepted() {
    if (!accepted) {
      accepted = true;
      failuresInARow = 0;
      backoff.reset();
      if (disconnectLimit != null) {
        disconnectLimit.accepted();
      }
      log.info("connected to the controller");
    }
  }

  private void onResponse(long streamGeneration, ConnectResponse response) {
    if (streamGeneration != generation || requests == null) {
      return;
    }
    markAccepted();
    try {
      switch (response.getKindCase()) {
        case START_TASK -> commands.start(response.getStartTask());
        case CANCEL_TASK -> commands.cancel(response.getCancelTask());
        case PREEMPT_TASK -> commands.preempt(response.getPreemptTask());
        case ACK -> outbox.acknowledge(response.getAck().getUpdateId());
        case HELLO_ACCEPTED -> log.debug("the controller accepted the session");
        default -> log.debug("ignoring a message of unknown kind {}", response.getKindCase());
      }
    } catch (RuntimeException e) {
      log.error("handling {} from the controller failed", response.getKindCase(), e);
    }
  }

  private void streamEnded(long streamGeneration, Status status) {
    if (streamGeneration != generation || closed) {
      return;
    }
    requests = null;
    boolean wasAccepted = accepted;
    endStream();
    if (wasAccepted && disconnectLimit != null) {
      disconnectLimit.lost();
    }
    if (status.getCode() == Status.Code.UNAUTHENTICATED) {
      log.warn(
          "the controller refused the node credential ({}); registering again", describe(status));
      retryLater(this::register);
      return;
    }
    if (wasAccepted) {
      log.warn("lost the controller ({}); reconnecting", describe(status));
    } else {
      logFailure("cannot connect to the controller", status);
    }
    retryLater(this::connect);
  }

  private void endStream() {
    accepted = false;
    if (heartbeats != null) {
      heartbeats.cancel(false);
      heartbeats = null;
    }
  }

  private void retryLater(Runnable attempt) {
    Duration delay = backoff.next();
    log.debug("next attempt in {}", delay);
    thread.schedule(() -> run(attempt), delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Runs a job on the session thread, logging its failure; a closed session drops it. */
  private void run(Runnable job) {
    try {
      thread.execute(
          () -> {
            try {
              job.run();
            } catch (RuntimeException e) {
              log.error("session job failed", e);
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("session closed; dropping a job");
    }
  }

  private static String describe(Status status) {
    return status.getDescription() == null
        ? status.getCode().toString()
        : status.getCode() + ": " + status.getDescription();
  }

  /** Hands the events of one stream to the session thread, tagged with the stream's generation. */
  private final class Responses implements StreamObserver<ConnectResponse> {

    private final long streamGeneration;

    Responses(long streamGeneration) {
      this.streamGeneration = streamGeneration;
    }

    @Override
    public void onNext(ConnectResponse response) {
      run(() -> onResponse(streamGeneration, response));
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      run(() -> streamEnded(streamGeneration, status));
    }

    @Override
    public void onCompleted() {
      run(() -> streamEnded(streamGeneration, Status.OK));
    }
  }
}
