package io.gpupool.client.impl;

import io.gpupool.client.ErrorCode;
import io.gpupool.client.GpuPoolClient;
import io.gpupool.client.GpuPoolClientOptions;
import io.gpupool.client.GpuPoolException;
import io.gpupool.client.Node;
import io.gpupool.client.Task;
import io.gpupool.client.TaskEventListener;
import io.gpupool.client.TaskEventStream;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskPage;
import io.gpupool.client.TaskQuery;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskWatcher;
import io.gpupool.proto.v1.CancelTaskRequest;
import io.gpupool.proto.v1.CancelTaskResponse;
import io.gpupool.proto.v1.ClearGpuQuarantineRequest;
import io.gpupool.proto.v1.ClearGpuQuarantineResponse;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.GetTaskResponse;
import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SchedulerServiceGrpc.SchedulerServiceStub;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.grpc.ManagedChannel;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link GpuPoolClient} over gRPC. Thread-safe: the stub, caller and scheduler are shared by
 * all calls; the set of open watches is concurrent.
 */
public final class GrpcGpuPoolClient implements GpuPoolClient {
  private static final long CLOSE_GRACE_SECONDS = 5;

  private final GpuPoolClientOptions options;
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final SchedulerServiceStub stub;
  private final ScheduledExecutorService scheduler;
  private final UnaryCaller caller;
  private final Backoff backoff;
  private final Clock clock;
  private final Set<TaskWatch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  GrpcGpuPoolClient(GpuPoolClientOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
    this.ownsChannel = options.channel().isEmpty();
    this.channel = options.channel().orElseGet(() -> ChannelFactory.open(options));
    this.stub =
        options
            .token()
            .map(
                token ->
                    SchedulerServiceGrpc.newStub(channel)
                        .withCallCredentials(new BearerToken(token)))
            .orElseGet(() -> SchedulerServiceGrpc.newStub(channel));
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "gpupool-client-retry");
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    this.scheduler = executor;
    this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
    this.caller =
        new UnaryCaller(
            stub,
            options.callTimeout(),
            options.maxRetries(),
            backoff,
            scheduler,
            channel::resetConnectBackoff);
  }

  /**
   * Builds a client from validated options; what {@link
   * io.gpupool.client.GpuPoolClientBuilder#build()} calls.
   */
  public static GpuPoolClient create(GpuPoolClientOptions options) {
    return new GrpcGpuPoolClient(Objects.requireNonNull(options, "options"), Clock.systemUTC());
  }

  @Override
  public GpuPoolClientOptions options() {
    return options;
  }

  @Override
  public TaskHandle submit(TaskSpec spec) {
    return Blocking.join(submitAsync(spec), "SubmitTask");
  }

  @Override
  public CompletableFuture<TaskHandle> submitAsync(TaskSpec spec) {
    Objects.requireNonNull(spec, "spec");
    checkOpen();
    // One id per submit call, resent by every retry, so that a retry never makes a second task.
    String requestId = spec.requestId().orElseGet(() -> UUID.randomUUID().toString());
    SubmitTaskRequest request = ProtoMapper.toSubmitRequest(spec, requestId);
    return caller.call(
        "SubmitTask",
        SchedulerServiceStub::submitTask,
        request,
        response -> task(response.getTask().getId()));
  }

  @Override
  public Task getTask(String id) {
    return Blocking.join(getTaskAsync(id), "GetTask");
  }

  @Override
  public CompletableFuture<Task> getTaskAsync(String id) {
    checkId(id);
    checkOpen();
    return caller.call(
        "GetTask",
        SchedulerServiceStub::getTask,
        GetTaskRequest.newBuilder().setId(id).build(),
        (GetTaskResponse response) -> ProtoMapper.toTask(response.getTask()));
  }

  @Override
  public TaskPage listTasks(TaskQuery query) {
    return Blocking.join(listTasksAsync(query), "ListTasks");
  }

  @Override
  public CompletableFuture<TaskPage> listTasksAsync(TaskQuery query) {
    Objects.requireNonNull(query, "query");
    checkOpen();
    return caller.call(
        "ListTasks",
        SchedulerServiceStub::listTasks,
        ProtoMapper.toRequest(query),
        ProtoMapper::toPage);
  }

  @Override
  public Task cancel(String id) {
    return Blocking.join(cancelAsync(id), "CancelTask");
  }

  @Override
  public CompletableFuture<Task> cancelAsync(String id) {
    checkId(id);
    checkOpen();
    return caller.call(
        "CancelTask",
        SchedulerServiceStub::cancelTask,
        CancelTaskRequest.newBuilder().setId(id).build(),
        (CancelTaskResponse response) -> ProtoMapper.toTask(response.getTask()));
  }

  @Override
  public List<Node> listNodes() {
    return Blocking.join(listNodesAsync(), "ListNodes");
  }

  @Override
  public CompletableFuture<List<Node>> listNodesAsync() {
    checkOpen();
    return caller.call(
        "ListNodes",
        SchedulerServiceStub::listNodes,
        ListNodesRequest.getDefaultInstance(),
        ProtoMapper::toNodes);
  }

  @Override
  public List<Node> listNodesWithHistory() {
    return Blocking.join(listNodesWithHistoryAsync(), "ListNodes");
  }

  @Override
  public CompletableFuture<List<Node>> listNodesWithHistoryAsync() {
    checkOpen();
    return caller.call(
        "ListNodes",
        SchedulerServiceStub::listNodes,
        ListNodesRequest.newBuilder().setIncludeHistory(true).build(),
        ProtoMapper::toNodes);
  }

  @Override
  public Node clearGpuQuarantine(String node, int deviceIndex) {
    return Blocking.join(clearGpuQuarantineAsync(node, deviceIndex), "ClearGpuQuarantine");
  }

  @Override
  public CompletableFuture<Node> clearGpuQuarantineAsync(String node, int deviceIndex) {
    Objects.requireNonNull(node, "node");
    if (node.isBlank()) {
      throw new IllegalArgumentException("node must not be blank");
    }
    if (deviceIndex < 0) {
      throw new IllegalArgumentException("deviceIndex must not be negative, got " + deviceIndex);
    }
    checkOpen();
    return caller.call(
        "ClearGpuQuarantine",
        SchedulerServiceStub::clearGpuQuarantine,
        ClearGpuQuarantineRequest.newBuilder().setNode(node).setDeviceIndex(deviceIndex).build(),
        (ClearGpuQuarantineResponse response) -> ProtoMapper.toNode(response.getNode()));
  }

  @Override
  public TaskHandle task(String id) {
    checkId(id);
    return new GrpcTaskHandle(this, id);
  }

  TaskEventStream openEvents(String id, long afterSequence) {
    BlockingEventStream stream = new BlockingEventStream(id);
    TaskWatch watch = newWatch(id, afterSequence, BlockingEventStream.BUFFER_SIZE, stream);
    stream.attach(watch);
    startWatch(watch);
    return stream;
  }

  TaskWatcher openWatch(String id, long afterSequence, TaskEventListener listener) {
    Objects.requireNonNull(listener, "listener");
    ListenerWatch watcher = new ListenerWatch(id, listener);
    // One event at a time: the next is asked for when the listener has returned.
    TaskWatch watch = newWatch(id, afterSequence, 1, watcher);
    watcher.attach(watch);
    startWatch(watch);
    return watcher;
  }

  private TaskWatch newWatch(String id, long afterSequence, int demand, WatchSink sink) {
    if (afterSequence < 0) {
      throw new IllegalArgumentException(
          "afterSequence must not be negative, got " + afterSequence);
    }
    return new TaskWatch(
        stub,
        id,
        afterSequence,
        demand,
        sink,
        backoff,
        options.watchReconnectTimeout(),
        scheduler,
        clock,
        channel::resetConnectBackoff,
        watches::remove);
  }

  private void startWatch(TaskWatch watch) {
    checkOpen();
    watches.add(watch);
    if (closed.get()) {
      // close() may have missed it; end it the same way.
      watch.fail(clientClosed());
      return;
    }
    watch.start();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (TaskWatch watch : List.copyOf(watches)) {
      watch.fail(clientClosed());
    }
    scheduler.shutdownNow();
    if (ownsChannel) {
      shutDownChannel();
    }
  }

  private void shutDownChannel() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS)) {
        channel.shutdownNow();
        channel.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the gpupool client is closed");
    }
  }

  private static void checkId(String id) {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("task id must not be blank");
    }
  }

  private static GpuPoolException clientClosed() {
    return new GpuPoolException(ErrorCode.CANCELLED, "the gpupool client was closed");
  }

  @Override
  public String toString() {
    return "GpuPoolClient[" + options.target().orElse("own channel") + "]";
  }
}
