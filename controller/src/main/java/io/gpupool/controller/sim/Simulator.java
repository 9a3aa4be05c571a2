package io.gpupool.controller.sim;

import io.gpupool.controller.core.ClusterSnapshot;
import io.gpupool.controller.core.DeviceSnapshot;
import io.gpupool.controller.core.NodeSnapshot;
import io.gpupool.controller.core.PendingTask;
import io.gpupool.controller.core.Placement;
import io.gpupool.controller.core.Plan;
import io.gpupool.controller.core.Policies;
import io.gpupool.controller.core.ResourceRequest;
import io.gpupool.controller.core.RunningTask;
import io.gpupool.controller.core.RuntimeEstimator;
import io.gpupool.controller.core.SchedulingPolicy;
import io.gpupool.controller.core.TaskProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a trace on a simulated cluster through a real scheduling policy, in virtual time.
 *
 * <p>Events are job arrivals and completions. At each instant the simulator applies every event due
 * then (completions first, then arrivals, each in job-id order), builds a {@link ClusterSnapshot}
 * and asks the policy for one plan, applies its placements, and schedules each placed job's
 * completion at its start plus its true duration. The policy never sees true durations: only the
 * trace's estimates and what a {@link RuntimeEstimator}, fed on every completion, has learned. The
 * policy is not asked when no placement is possible (no node has as many free GPUs as the smallest
 * waiting task needs): with no preemptible jobs (trace jobs never are), no plan could then change
 * anything; reservations are recomputed by the core on every pass and need nothing here.
 *
 * <p>Jobs that need more GPUs of their type than any node has are reported as unschedulable and
 * never queued, so they cannot hang the simulation. The same trace, cluster and policy always give
 * the same result.
 *
 * <p>An instance is immutable and may run several policies, also from several threads; each {@link
 * #run} uses its own state and its own policy instance.
 */
public final class Simulator {
  private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);

  private final Trace trace;
  private final ClusterSpec cluster;
  private final List<TraceJob> schedulable;
  private final List<TraceJob> unschedulable;

  /** Prepares to replay {@code trace} on {@code cluster}. */
  public Simulator(Trace trace, ClusterSpec cluster) {
    this.trace = trace;
    this.cluster = cluster;
    List<TraceJob> fit = new ArrayList<>();
    List<TraceJob> misfit = new ArrayList<>();
    Map<String, Integer> largestByType = new HashMap<>();
    for (TraceJob job : trace.jobs()) {
      int largest =
          largestByType.computeIfAbsent(
              job.gpuType(), type -> cluster.largestNodeFor(ResourceRequest.gpus(1, type)));
      (job.gpus() <= largest ? fit : misfit).add(job);
    }
    this.schedulable = List.copyOf(fit);
    this.unschedulable = List.copyOf(misfit);
  }

  /** The trace being replayed. */
  public Trace trace() {
    return trace;
  }

  /** The simulated cluster. */
  public ClusterSpec cluster() {
    return cluster;
  }

  /** The jobs some node can hold, in trace order: the ones every policy gets to run. */
  public List<TraceJob> schedulableJobs() {
    return schedulable;
  }

  /** The jobs no node can hold, in trace order. */
  public List<TraceJob> unschedulableJobs() {
    return unschedulable;
  }

  /**
   * Runs the trace under the named policy.
   *
   * @throws IllegalArgumentException if {@link Policies} does not know the name
   * @throws IllegalStateException if the policy breaks its contract (places a task that is not
   *     pending, or on a device that is busy, missing or of the wrong model)
   */
  public SimulationResult run(String policyName) {
    return run(policyName, Policies.create(policyName));
  }

  /**
   * Runs the trace under {@code policy}, reported as {@code name}.
   *
   * @throws IllegalStateException if the policy breaks its contract (places a task that is not
   *     pending, or on a device that is busy, missing or of the wrong model)
   */
  public SimulationResult run(String name, SchedulingPolicy policy) {
    SimulationResult result = new Run(name, policy).execute();
    if (!result.unfinished().isEmpty()) {
      LOG.warn(
          "policy '{}' left {} jobs waiting on an idle cluster with nothing left to arrive",
          name,
          result.unfinished().size());
    }
    return result;
  }

  /** What the core is told about a job: never its true duration. */
  static ResourceRequest request(TraceJob job) {
    return ResourceRequest.gpus(job.gpus(), job.gpuType());
  }

  static TaskProfile profile(TraceJob job) {
    return new TaskProfile(
        job.tenant(), job.name(), job.priority(), false, 0, 0, 0, job.estimate());
  }

  /** The mutable state of one replay. */
  private final class Run {
    private final String policyName;
    private final SchedulingPolicy policy;
    private final RuntimeEstimator estimator = new RuntimeEstimator();
    private final Timeline timeline = new Timeline();
    private final List<JobRun> runs = new ArrayList<>();

    private final SimNode[] nodes;
    private final Map<String, SimNode> nodeById = new HashMap<>();
    private List<NodeSnapshot> nodeSnapshots;

    /** Waiting jobs in arrival order, by task id. */
    private final Map<String, Waiting> pending = new LinkedHashMap<>();

    /** GPU count of each waiting job to how many waiting jobs need that many. */
    private final TreeMap<Integer, Integer> pendingSizes = new TreeMap<>();

    /** Running jobs in start order, by task id. */
    private final Map<String, Started> running = new LinkedHashMap<>();

    private final PriorityQueue<Started> completions =
        new PriorityQueue<>(
            Comparator.comparingLong(Started::endMillis).thenComparingInt(s -> s.job().idRank()));

    private int busyGpus;
    private long policyCalls;

    Run(String policyName, SchedulingPolicy policy) {
      this.policyName = policyName;
      this.policy = policy;
      List<NodeSnapshot> initial = cluster.nodes();
      nodes = new SimNode[initial.size()];
      for (int i = 0; i < nodes.length; i++) {
        nodes[i] = new SimNode(initial.get(i));
        nodeById.put(nodes[i].id(), nodes[i]);
      }
    }

    SimulationResult execute() {
      Job[] jobs = jobsWithIdRanks();
      int nextArrival = 0;
      while (nextArrival < jobs.length || !completions.isEmpty()) {
        long now =
            Math.min(
                completions.isEmpty() ? Long.MAX_VALUE : completions.peek().endMillis(),
                nextArrival < jobs.length
                    ? jobs[nextArrival].trace().submitMillis()
                    : Long.MAX_VALUE);
        while (!completions.isEmpty() && completions.peek().endMillis() == now) {
          complete(completions.poll());
        }
        while (nextArrival < jobs.length && jobs[nextArrival].trace().submitMillis() == now) {
          arrive(jobs[nextArrival++]);
        }
        if (placementPossible()) {
          schedule(now);
        }
        timeline.record(now, pending.size(), busyGpus);
      }
      List<TraceJob> unfinished = pending.values().stream().map(w -> w.job().trace()).toList();
      return new SimulationResult(
          policyName, runs, unschedulable, unfinished, timeline, policyCalls);
    }

    private Job[] jobsWithIdRanks() {
      Integer[] byId = new Integer[schedulable.size()];
      for (int i = 0; i < byId.length; i++) {
        byId[i] = i;
      }
      Arrays.sort(byId, Comparator.comparing(i -> schedulable.get(i).id(), TraceJob.ID_ORDER));
      int[] rank = new int[byId.length];
      for (int r = 0; r < byId.length; r++) {
        rank[byId[r]] = r;
      }
      Job[] jobs = new Job[schedulable.size()];
      for (int i = 0; i < jobs.length; i++) {
        TraceJob job = schedulable.get(i);
        jobs[i] = new Job(job, i, rank[i], request(job), profile(job));
      }
      return jobs;
    }

    private void arrive(Job job) {
      PendingTask task =
          new PendingTask(
              job.trace().id(),
              job.sequence(),
              job.request(),
              job.profile(),
              instant(job.trace().submitMillis()));
      pending.put(task.id(), new Waiting(job, task));
      pendingSizes.merge(job.trace().gpus(), 1, Integer::sum);
    }

    private void complete(Started started) {
      Job job = started.job();
      running.remove(job.trace().id());
      started.node().release(started.devices());
      busyGpus -= job.trace().gpus();
      nodeSnapshots = null;
      estimator.observe(job.profile(), Duration.ofMillis(job.trace().durationMillis()));
      runs.add(
          new JobRun(job.trace(), started.node().id(), started.startMillis(), started.endMillis()));
    }

    /** False when no node has as many free GPUs as the smallest waiting job needs. */
    private boolean placementPossible() {
      if (pending.isEmpty()) {
        return false;
      }
      int smallest = pendingSizes.firstKey();
      for (SimNode node : nodes) {
        if (node.freeCount() >= smallest) {
          return true;
        }
      }
      return false;
    }

    private void schedule(long now) {
      if (nodeSnapshots == null) {
        NodeSnapshot[] snapshots = new NodeSnapshot[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
          snapshots[i] = nodes[i].snapshot();
        }
        nodeSnapshots = List.of(snapshots);
      }
      List<PendingTask> queue = new ArrayList<>(pending.size());
      for (Waiting waiting : pending.values()) {
        queue.add(waiting.task());
      }
      List<RunningTask> active = new ArrayList<>(running.size());
      for (Started started : running.values()) {
        active.add(started.task());
      }
      Instant at = instant(now);
      Plan plan = policy.schedule(new ClusterSnapshot(at, nodeSnapshots, queue, active, estimator));
      policyCalls++;
      if (!plan.preemptions().isEmpty()) {
        // Trace jobs are never preemptible, so the core may not pick one as a victim.
        throw contractBroken(
            now,
            "preempted task '"
                + plan.preemptions().get(0).victimId()
                + "', which is not preemptible");
      }
      for (Placement placement : plan.placements()) {
        start(placement, now, at);
      }
    }

    private void start(Placement placement, long now, Instant at) {
      Waiting waiting = pending.get(placement.taskId());
      if (waiting == null) {
        throw contractBroken(now, "placed task '" + placement.taskId() + "', which is not waiting");
      }
      Job job = waiting.job();
      SimNode node = nodeById.get(placement.nodeId());
      if (node == null) {
        throw contractBroken(
            now,
            "placed task '" + job.trace().id() + "' on unknown node '" + placement.nodeId() + "'");
      }
      if (placement.deviceIndices().size() != job.trace().gpus()) {
        throw contractBroken(
            now,
            "gave task '"
                + job.trace().id()
                + "' "
                + placement.deviceIndices().size()
                + " GPUs; it needs "
                + job.trace().gpus());
      }
      String problem = node.allocate(placement.deviceIndices(), job.request());
      if (problem != null) {
        throw contractBroken(now, "placed task '" + job.trace().id() + "' on " + problem);
      }
      pending.remove(job.trace().id());
      pendingSizes.computeIfPresent(
          job.trace().gpus(), (gpus, count) -> count == 1 ? null : count - 1);
      busyGpus += job.trace().gpus();
      nodeSnapshots = null;
      RunningTask task =
          new RunningTask(
              job.trace().id(),
              node.id(),
              placement.deviceIndices(),
              job.request(),
              job.profile(),
              at,
              OptionalDouble.empty());
      Started started =
          new Started(
              job, node, placement.deviceIndices(), task, now, now + job.trace().durationMillis());
      running.put(job.trace().id(), started);
      completions.add(started);
    }

    private IllegalStateException contractBroken(long now, String what) {
      return new IllegalStateException(
          "policy '" + policyName + "' " + what + " (at " + now / 1000.0 + " s into the trace)");
    }
  }

  private static Instant instant(long millis) {
    return Instant.ofEpochMilli(millis);
  }

  /** A schedulable job with what the core is told about it. */
  private record Job(
      TraceJob trace, long sequence, int idRank, ResourceRequest request, TaskProfile profile) {}

  private record Waiting(Job job, PendingTask task) {}

  private record Started(
      Job job,
      SimNode node,
      List<Integer> devices,
      RunningTask task,
      long startMillis,
      long endMillis) {}

  /** One node's allocation, with its snapshot cached until the allocation changes. */
  private static final class SimNode {
    private final NodeSnapshot initial;
    private final DeviceSnapshot[] free;
    private final DeviceSnapshot[] taken;
    private final boolean[] allocated;
    private int freeCount;
    private NodeSnapshot snapshot;

    SimNode(NodeSnapshot initial) {
      this.initial = initial;
      int count = initial.devices().size();
      free = new DeviceSnapshot[count];
      taken = new DeviceSnapshot[count];
      allocated = new boolean[count];
      for (int i = 0; i < count; i++) {
        DeviceSnapshot device = initial.devices().get(i);
        free[i] = device;
        taken[i] =
            new DeviceSnapshot(
                device.index(), device.model(), device.memoryBytes(), device.healthy(), true);
      }
      freeCount = count;
      snapshot = initial;
    }

    String id() {
      return initial.id();
    }

    int freeCount() {
      return freeCount;
    }

    NodeSnapshot snapshot() {
      if (snapshot == null) {
        DeviceSnapshot[] devices = new DeviceSnapshot[allocated.length];
        for (int i = 0; i < devices.length; i++) {
          devices[i] = allocated[i] ? taken[i] : free[i];
        }
        snapshot = new NodeSnapshot(initial.id(), initial.name(), true, List.of(devices));
      }
      return snapshot;
    }

    /** Takes the devices, or returns what is wrong with them and takes none. */
    String allocate(List<Integer> indices, ResourceRequest request) {
      for (int k = 0; k < indices.size(); k++) {
        int index = indices.get(k);
        String where = "device " + index + " of node '" + initial.id() + "'";
        if (index < 0 || index >= allocated.length) {
          return "missing " + where;
        }
        if (allocated[index] || indices.subList(0, k).contains(index)) {
          return "busy " + where;
        }
        if (!request.accepts(free[index])) {
          return where + ", a " + free[index].model() + " it did not ask for";
        }
      }
      for (int index : indices) {
        allocated[index] = true;
      }
      freeCount -= indices.size();
      snapshot = null;
      return null;
    }

    void release(List<Integer> indices) {
      for (int index : indices) {
        allocated[index] = false;
      }
      freeCount += indices.size();
      snapshot = null;
    }
  }
}
