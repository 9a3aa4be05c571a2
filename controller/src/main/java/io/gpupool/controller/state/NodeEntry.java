package io.gpupool.controller.state;

import io.gpupool.controller.core.DeviceSnapshot;
import io.gpupool.controller.core.NodeSnapshot;
import io.gpupool.controller.store.NodeRecord;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceSample;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.GpuQuarantine;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.NodeState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A registered node: what it registered, its session, its latest telemetry with a short history per
 * GPU, which of its GPUs are quarantined (kept in the stored registration, so a quarantine outlives
 * a controller restart) and which are allocated to which task.
 *
 * <p>Not thread-safe; owned by the scheduling loop.
 */
public final class NodeEntry {
  /** At most this many samples are kept per GPU, and none older than {@link #HISTORY_WINDOW}. */
  public static final int HISTORY_SAMPLES = 300;

  /** How far back the history goes, by the controller's clock (agents' clocks may differ). */
  public static final Duration HISTORY_WINDOW = Duration.ofMinutes(5);

  private Node registration;
  private String credentialHash;
  private String instanceId;
  private long lastAppliedUpdate;
  private AgentLink session;
  private Instant lastHeartbeat;
  private Instant lastSeen;
  private boolean lost;
  private double successRate = 1.0;
  private final Map<Integer, DeviceStatus> latestStatus = new HashMap<>();
  private final Map<Integer, Deque<Received>> history = new HashMap<>();
  private final Map<Integer, String> allocations = new HashMap<>();
  private final Map<Integer, Map<String, Long>> shares = new HashMap<>();

  public NodeEntry(NodeRecord record) {
    this.registration = record.node();
    this.credentialHash = record.credentialHash();
    this.instanceId = record.instanceId();
    this.lastAppliedUpdate = record.lastAppliedUpdate();
  }

  public NodeRecord toRecord() {
    return new NodeRecord(registration, credentialHash, instanceId, lastAppliedUpdate);
  }

  public String id() {
    return registration.getId();
  }

  public String name() {
    return registration.getName();
  }

  /**
   * Replaces what the node registered (a new agent process registered again). Cordon and
   * quarantines carry over; a quarantine only to the same device (same index and UUID), so a
   * replaced GPU starts clean.
   */
  public void reregister(Node registration, String credentialHash) {
    Node.Builder next = registration.toBuilder().setCordoned(isCordoned());
    for (Gpu.Builder gpu : next.getGpusBuilderList()) {
      for (Gpu before : this.registration.getGpusList()) {
        if (before.hasQuarantine()
            && before.getInfo().getIndex() == gpu.getInfo().getIndex()
            && before.getInfo().getUuid().equals(gpu.getInfo().getUuid())) {
          gpu.setQuarantine(before.getQuarantine());
        }
      }
    }
    this.registration = next.build();
    this.credentialHash = credentialHash;
    latestStatus.keySet().retainAll(indices());
    history.keySet().retainAll(indices());
  }

  public boolean isCordoned() {
    return registration.getCordoned();
  }

  /** Marks the node (un)schedulable; its running tasks go on either way. */
  public void cordon(boolean cordoned) {
    registration = registration.toBuilder().setCordoned(cordoned).build();
  }

  public String credentialHash() {
    return credentialHash;
  }

  public AgentLink session() {
    return session;
  }

  public boolean isConnected() {
    return session != null;
  }

  public void connect(AgentLink link, Instant now) {
    this.session = link;
    this.lastHeartbeat = now;
    this.lastSeen = now;
    this.lost = false;
  }

  /** When the controller last heard from the node, or started watching it (after a restart). */
  public Instant lastSeen() {
    return lastSeen;
  }

  /** Starts the silence clock of a node nobody has heard from yet (controller start). */
  public void watchFrom(Instant now) {
    if (lastSeen == null) {
      lastSeen = now;
    }
  }

  public boolean isLost() {
    return lost;
  }

  /** Marks the node lost: silent past the deadline, its tasks requeued elsewhere. */
  public void markLost() {
    lost = true;
  }

  public void disconnect() {
    this.session = null;
  }

  public Instant lastHeartbeat() {
    return lastHeartbeat;
  }

  /**
   * Records a heartbeat's samples as the latest state and in each device's history.
   *
   * @param sampledAt when the agent took the samples (kept with them)
   * @param now the controller's time, which bounds the history window
   */
  public void heartbeat(List<DeviceStatus> statuses, Instant sampledAt, Instant now) {
    lastHeartbeat = now;
    lastSeen = now;
    for (DeviceStatus status : statuses) {
      if (!hasDevice(status.getIndex())) {
        continue; // not a GPU it registered: nothing to show it under
      }
      latestStatus.put(status.getIndex(), status);
      Deque<Received> samples = history.computeIfAbsent(status.getIndex(), i -> new ArrayDeque<>());
      samples.addLast(
          new Received(
              now,
              DeviceSample.newBuilder()
                  .setTime(Timestamps.of(sampledAt))
                  .setStatus(status)
                  .build()));
      while (samples.size() > HISTORY_SAMPLES
          || samples.peekFirst().at().isBefore(now.minus(HISTORY_WINDOW))) {
        samples.removeFirst();
      }
    }
  }

  /** Each GPU's recent samples, oldest first. */
  public Map<Integer, List<DeviceSample>> history() {
    Map<Integer, List<DeviceSample>> copy = new HashMap<>();
    history.forEach(
        (index, samples) -> copy.put(index, samples.stream().map(Received::sample).toList()));
    return copy;
  }

  /** True when the node registered a GPU with this index. */
  public boolean hasDevice(int index) {
    return indices().contains(index);
  }

  /** The GPU's quarantine, if it is quarantined. */
  public Optional<GpuQuarantine> quarantine(int index) {
    for (Gpu gpu : registration.getGpusList()) {
      if (gpu.getInfo().getIndex() == index && gpu.hasQuarantine()) {
        return Optional.of(gpu.getQuarantine());
      }
    }
    return Optional.empty();
  }

  /**
   * Quarantines a GPU: it gets no new work except a diagnostic aimed at it. Returns false (and
   * changes nothing) when it is already quarantined or the node has no such GPU.
   */
  public boolean quarantine(int index, String reason, Instant since) {
    if (!hasDevice(index) || quarantine(index).isPresent()) {
      return false;
    }
    GpuQuarantine quarantine =
        GpuQuarantine.newBuilder().setReason(reason).setSince(Timestamps.of(since)).build();
    Node.Builder next = registration.toBuilder();
    for (Gpu.Builder gpu : next.getGpusBuilderList()) {
      if (gpu.getInfo().getIndex() == index) {
        gpu.setQuarantine(quarantine);
      }
    }
    registration = next.build();
    return true;
  }

  /** Ends a GPU's quarantine; false when it was not quarantined. */
  public boolean clearQuarantine(int index) {
    if (quarantine(index).isEmpty()) {
      return false;
    }
    Node.Builder next = registration.toBuilder();
    for (Gpu.Builder gpu : next.getGpusBuilderList()) {
      if (gpu.getInfo().getIndex() == index) {
        gpu.clearQuarantine();
      }
    }
    registration = next.build();
    return true;
  }

  /** Task ids holding this GPU, whole or as a share. */
  public List<String> tasksUsing(int index) {
    List<String> ids = new ArrayList<>();
    String whole = allocations.get(index);
    if (whole != null) {
      ids.add(whole);
    }
    ids.addAll(shares.getOrDefault(index, Map.of()).keySet());
    return ids;
  }

  /**
   * Starts applying task updates of the agent process {@code instanceId}; update ids restart with
   * every process.
   *
   * @return true if this is a different process than the last one
   */
  public boolean adoptInstance(String instanceId) {
    if (instanceId.equals(this.instanceId)) {
      return false;
    }
    this.instanceId = instanceId;
    this.lastAppliedUpdate = 0;
    return true;
  }

  /** True (and remembered) when the update id was not applied before. */
  public boolean acceptUpdate(long updateId) {
    if (updateId <= lastAppliedUpdate) {
      return false;
    }
    lastAppliedUpdate = updateId;
    return true;
  }

  /**
   * Records how a task on this node ended; failures lower the success rate the availability score
   * uses (an exponentially weighted average, so the node recovers as tasks succeed again).
   */
  public void recordOutcome(boolean succeeded) {
    successRate = 0.8 * successRate + 0.2 * (succeeded ? 1.0 : 0.0);
  }

  public void allocate(List<Integer> indices, String taskId) {
    for (int index : indices) {
      allocations.put(index, taskId);
    }
  }

  /** Gives a placed task what it asked for: whole devices, or a memory share of one. */
  public void hold(TaskEntry task) {
    List<Integer> indices = task.task().getPlacement().getDeviceIndicesList();
    long share = task.task().getSpec().getResources().getGpuMemoryBytes();
    if (share > 0) {
      allocateShare(indices.get(0), task.id(), share);
    } else {
      allocate(indices, task.id());
    }
  }

  /** Promises a memory share of one device to a fractional task. */
  public void allocateShare(int index, String taskId, long bytes) {
    shares.computeIfAbsent(index, i -> new TreeMap<>()).put(taskId, bytes);
  }

  /** Frees whatever the task held here, whole devices or shares. */
  public void release(String taskId) {
    allocations.values().removeIf(taskId::equals);
    shares.values().forEach(byTask -> byTask.remove(taskId));
    shares.values().removeIf(Map::isEmpty);
  }

  private long sharedBytes(int index) {
    return shares.getOrDefault(index, Map.of()).values().stream().mapToLong(Long::longValue).sum();
  }

  public DeviceInfo device(int index) {
    for (DeviceInfo info : registration.getGpusList().stream().map(Gpu::getInfo).toList()) {
      if (info.getIndex() == index) {
        return info;
      }
    }
    throw new IllegalArgumentException("node " + id() + " has no GPU " + index);
  }

  private List<Integer> indices() {
    return registration.getGpusList().stream().map(g -> g.getInfo().getIndex()).toList();
  }

  /** The node as the scheduling core sees it. */
  public NodeSnapshot toSnapshot() {
    List<DeviceSnapshot> devices = new ArrayList<>();
    for (Gpu gpu : registration.getGpusList()) {
      int index = gpu.getInfo().getIndex();
      DeviceStatus status = latestStatus.get(index);
      // Every unhealthy sample quarantines its GPU as it arrives, so the quarantine alone decides;
      // after an admin clears it, the GPU takes work until the agent reports it unhealthy again.
      boolean healthy = !gpu.hasQuarantine();
      devices.add(
          new DeviceSnapshot(
              index,
              gpu.getInfo().getModel(),
              gpu.getInfo().getMemoryTotalBytes(),
              healthy,
              allocations.containsKey(index),
              status != null && status.hasUtilizationPercent()
                  ? status.getUtilizationPercent() / 100.0
                  : Double.NaN,
              status != null && status.hasPowerWatts() ? status.getPowerWatts() : Double.NaN,
              sharedBytes(index),
              gpu.getInfo().getInterconnectGroup(),
              gpu.getInfo().getPowerLimitWatts()));
    }
    // The core places only on ready nodes: connected and not cordoned.
    return new NodeSnapshot(
        id(),
        name(),
        isConnected() && !isCordoned(),
        registration.getLabelsMap(),
        successRate,
        devices);
  }

  /** A sample with the controller's time of arrival, which decides when it leaves the history. */
  private record Received(Instant at, DeviceSample sample) {}

  /** The node as clients see it, with telemetry, quarantines and allocations (no history). */
  public Node toView() {
    Node.Builder view =
        registration.toBuilder()
            .clearGpus()
            .setState(
                isConnected()
                    ? NodeState.NODE_STATE_READY
                    : lost ? NodeState.NODE_STATE_LOST : NodeState.NODE_STATE_DISCONNECTED)
            .setSuccessRate(successRate);
    if (lastHeartbeat != null) {
      view.setLastHeartbeatTime(Timestamps.of(lastHeartbeat));
    }
    for (Gpu gpu : registration.getGpusList()) {
      int index = gpu.getInfo().getIndex();
      Gpu.Builder g =
          gpu.toBuilder()
              .setTaskId(allocations.getOrDefault(index, ""))
              .addAllSharedTaskIds(shares.getOrDefault(index, Map.of()).keySet())
              .setSharedMemoryBytes(sharedBytes(index));
      DeviceStatus status = latestStatus.get(index);
      if (status != null) {
        g.setStatus(status);
      }
      view.addGpus(g);
    }
    return view.build();
  }
}
