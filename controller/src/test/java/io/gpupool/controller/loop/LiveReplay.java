package io.gpupool.controller.loop;

import io.gpupool.controller.core.DeviceSnapshot;
import io.gpupool.controller.core.NodeSnapshot;
import io.gpupool.controller.core.SchedulingPolicy;
import io.gpupool.controller.sim.ClusterSpec;
import io.gpupool.controller.sim.Trace;
import io.gpupool.controller.sim.TraceJob;
import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.store.Store;
import io.gpupool.controller.testing.MutableClock;
import io.gpupool.controller.testing.RecordingLink;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.ConnectResponse;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskStarted;
import io.gpupool.proto.v1.TaskUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * Plays a simulator trace through a live {@link SchedulerLoop}: the cluster's nodes register and
 * connect as fake agents, and a manual clock steps through the same instants the simulator visits,
 * applying the same events in the same order.
 *
 * <p>At each instant it reports the completions due then (in {@link TraceJob#ID_ORDER}, as the
 * simulator completes them), submits the arrivals (in trace order), runs one pass, and has every
 * agent report each task it was told to start as started at once, in a second pass at the same
 * instant; that pass schedules nothing, as no capacity changed. Each job then runs for its true
 * duration and ends with exit code 0. Not thread-safe; one replay per instance.
 */
final class LiveReplay {
  /** Long enough that no node goes silent during a trace, which sends no heartbeats. */
  private static final LoopSettings NO_EXPIRY =
      new LoopSettings(Duration.ofDays(3650), Duration.ofSeconds(30));

  /**
   * Where and when the live loop started a job.
   *
   * @param nodeId the node it was sent to
   * @param deviceIndices the GPUs it was given
   * @param startMillis when, in milliseconds from the trace start
   */
  record Start(String nodeId, List<Integer> deviceIndices, long startMillis) {}

  private record Ending(TraceJob job, String nodeId, long endMillis) {}

  private final Trace trace;
  private final ClusterSpec cluster;
  private final MutableClock clock;
  private final SchedulerLoop loop;
  private final Map<String, RecordingLink> links = new LinkedHashMap<>();
  private final Map<String, Integer> messagesSeen = new HashMap<>();
  private final Map<String, TraceJob> jobsByTaskId = new HashMap<>();
  private final Map<String, Start> starts = new LinkedHashMap<>();
  private final PriorityQueue<Ending> endings =
      new PriorityQueue<>(
          Comparator.comparingLong(Ending::endMillis)
              .thenComparing(e -> e.job().id(), TraceJob.ID_ORDER));
  private long nextUpdateId = 1;
  private long nowMillis;

  /**
   * Prepares a replay whose trace time 0 is {@code origin} on the loop's clock.
   *
   * @param store an empty store the loop may own for the replay
   */
  LiveReplay(
      Trace trace, ClusterSpec cluster, SchedulingPolicy policy, Store store, Instant origin) {
    this.trace = trace;
    this.cluster = cluster;
    this.clock = new MutableClock(origin);
    this.loop =
        new SchedulerLoop(clock, store, policy, new TaskEventBus(), new NodeDirectory(), NO_EXPIRY);
  }

  /**
   * Runs the whole trace and returns, by trace job id, where and when each job started; a job the
   * loop never started is missing.
   *
   * @throws IllegalStateException if the loop names a submitted task differently from its job (the
   *     trace's ids must be the loop's "t-N" ids, so that ties that break on task ids break alike)
   */
  Map<String, Start> run() {
    try {
      connectNodes();
      List<TraceJob> jobs = trace.jobs();
      int next = 0;
      while (next < jobs.size() || !endings.isEmpty()) {
        long now =
            Math.min(
                endings.isEmpty() ? Long.MAX_VALUE : endings.peek().endMillis(),
                next < jobs.size() ? jobs.get(next).submitMillis() : Long.MAX_VALUE);
        clock.advance(Duration.ofMillis(now - nowMillis));
        nowMillis = now;
        while (!endings.isEmpty() && endings.peek().endMillis() == now) {
          Ending ending = endings.poll();
          report(ending.nodeId(), ended(ending.job().id()));
        }
        Map<TraceJob, CompletableFuture<List<Task>>> submitted = new LinkedHashMap<>();
        while (next < jobs.size() && jobs.get(next).submitMillis() == now) {
          TraceJob job = jobs.get(next++);
          CompletableFuture<List<Task>> reply = new CompletableFuture<>();
          loop.offer(new LoopEvent.Submit(spec(job), "", reply));
          submitted.put(job, reply);
        }
        loop.runOnce();
        submitted.forEach(this::checkTaskId);
        if (startWhatWasSent()) {
          loop.runOnce();
        }
      }
      return starts;
    } finally {
      loop.close();
    }
  }

  private void connectNodes() {
    for (NodeSnapshot node : cluster.nodes()) {
      RegisterRequest.Builder request =
          RegisterRequest.newBuilder().setNodeId(node.id()).setNodeName(node.name());
      for (DeviceSnapshot device : node.devices()) {
        request.addDevices(
            DeviceInfo.newBuilder()
                .setIndex(device.index())
                .setUuid("GPU-" + node.id() + "-" + device.index())
                .setModel(device.model())
                .setMemoryTotalBytes(device.memoryBytes()));
      }
      CompletableFuture<Void> registered = new CompletableFuture<>();
      loop.offer(
          new LoopEvent.Register(request.build(), Credentials.hash(secret(node)), registered));
      loop.runOnce();
      registered.join();

      RecordingLink link = new RecordingLink();
      CompletableFuture<Void> accepted = new CompletableFuture<>();
      loop.offer(
          new LoopEvent.Hello(
              AgentHello.newBuilder()
                  .setNodeId(node.id())
                  .setNodeCredential(secret(node))
                  .setInstanceId("instance-1")
                  .build(),
              link,
              accepted));
      loop.runOnce();
      accepted.join();
      links.put(node.id(), link);
      messagesSeen.put(node.id(), link.sent.size());
    }
  }

  private static String secret(NodeSnapshot node) {
    return "secret-" + node.id();
  }

  private void checkTaskId(TraceJob job, CompletableFuture<List<Task>> reply) {
    String taskId = reply.join().get(0).getId();
    if (!taskId.equals(job.id())) {
      throw new IllegalStateException(
          "the loop named job " + job.id() + " '" + taskId + "'; trace ids must be t-1, t-2, ...");
    }
    jobsByTaskId.put(taskId, job);
  }

  /** Records the StartTask commands of the last pass and reports them started; true if any. */
  private boolean startWhatWasSent() {
    boolean any = false;
    for (Map.Entry<String, RecordingLink> entry : links.entrySet()) {
      String nodeId = entry.getKey();
      List<ConnectResponse> sent = entry.getValue().sent;
      int seen = messagesSeen.get(nodeId);
      for (ConnectResponse message : new ArrayList<>(sent.subList(seen, sent.size()))) {
        if (message.hasStartTask()) {
          StartTask start = message.getStartTask();
          TraceJob job = jobsByTaskId.get(start.getTaskId());
          starts.put(
              job.id(), new Start(nodeId, List.copyOf(start.getDeviceIndicesList()), nowMillis));
          endings.add(new Ending(job, nodeId, nowMillis + job.durationMillis()));
          report(nodeId, started(job.id()));
          any = true;
        }
      }
      messagesSeen.put(nodeId, sent.size());
    }
    return any;
  }

  private void report(String nodeId, TaskUpdate update) {
    loop.offer(new LoopEvent.UpdateReceived(nodeId, links.get(nodeId), update));
  }

  private TaskUpdate started(String taskId) {
    return TaskUpdate.newBuilder()
        .setUpdateId(nextUpdateId++)
        .setTaskId(taskId)
        .setStarted(TaskStarted.getDefaultInstance())
        .build();
  }

  private TaskUpdate ended(String taskId) {
    return TaskUpdate.newBuilder()
        .setUpdateId(nextUpdateId++)
        .setTaskId(taskId)
        .setEnded(TaskEnded.newBuilder().setResult(TaskResult.newBuilder().setExitCode(0)))
        .build();
  }

  /** What a client would submit for the job: the inputs the simulator gives the core. */
  private static TaskSpec spec(TraceJob job) {
    TaskSpec.Builder spec =
        TaskSpec.newBuilder()
            .setName(job.name())
            .setTenant(job.tenant())
            .setPriority(job.priority())
            .setCommand(CommandWorkload.newBuilder().addArgv("true"))
            .setResources(Resources.newBuilder().setGpus(job.gpus()).setGpuModel(job.gpuType()));
    job.estimate()
        .ifPresent(
            estimate ->
                spec.setRuntimeEstimate(
                    com.google.protobuf.Duration.newBuilder()
                        .setSeconds(estimate.getSeconds())
                        .setNanos(estimate.getNano())));
    return spec.build();
  }
}
