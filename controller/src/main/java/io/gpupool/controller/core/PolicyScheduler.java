package io.gpupool.controller.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The configurable scheduler: order the queue, then for each task filter nodes (ready, labels,
 * model, memory, health, free GPUs), score the feasible ones and place on the best; with EASY
 * backfill the first task that does not fit reserves GPUs and later ones may only pass it without
 * delaying it.
 *
 * <p>Pure and deterministic; one instance may be reused across passes (it keeps no state).
 */
public final class PolicyScheduler implements SchedulingPolicy {
  private final PolicyConfig config;

  public PolicyScheduler(PolicyConfig config) {
    this.config = config;
  }

  public PolicyConfig config() {
    return config;
  }

  @Override
  public Plan schedule(ClusterSnapshot snapshot) {
    Pass pass = new Pass(snapshot);
    for (PendingTask task : config.order().order(snapshot)) {
      pass.consider(task);
    }
    return new Plan(
        pass.placements,
        pass.waiting,
        pass.reservation == null ? List.of() : List.of(pass.reservation));
  }

  /** The working state of one pass. */
  private final class Pass {
    final ClusterSnapshot snapshot;
    final FreeCapacity capacity;
    final Map<String, Integer> tenantGpus = new HashMap<>();
    final Map<String, List<RunningTask>> runningByNode = new HashMap<>();
    final List<Placement> placements = new ArrayList<>();
    final Map<String, String> waiting = new LinkedHashMap<>();
    Reservation reservation;
    String blockedBy;

    Pass(ClusterSnapshot snapshot) {
      this.snapshot = snapshot;
      this.capacity = new FreeCapacity(snapshot.nodes());
      for (RunningTask running : snapshot.running()) {
        tenantGpus.merge(running.profile().tenant(), running.request().gpus(), Integer::sum);
        runningByNode.computeIfAbsent(running.nodeId(), n -> new ArrayList<>()).add(running);
      }
    }

    void consider(PendingTask task) {
      if (blockedBy != null) {
        waiting.put(task.id(), "waiting behind " + blockedBy + " (strict order)");
        return;
      }
      String tenant = task.profile().tenant();
      Integer quota = config.tenantMaxGpus().get(tenant);
      int held = tenantGpus.getOrDefault(tenant, 0);
      if (quota != null && held + task.request().gpus() > quota) {
        waiting.put(
            task.id(),
            "quota of tenant " + tenant + " reached (" + held + " of " + quota + " GPUs in use)");
        return;
      }
      Placement placement = place(task, true);
      if (placement != null) {
        capacity.take(placement.nodeId(), placement.deviceIndices());
        placements.add(placement);
        tenantGpus.merge(tenant, task.request().gpus(), Integer::sum);
        return;
      }
      if (config.backfill() == PolicyConfig.Backfill.NONE) {
        blockedBy = task.id();
        waiting.put(task.id(), WaitingReasons.explain(task.request(), snapshot.nodes()));
      } else if (config.backfill() == PolicyConfig.Backfill.GREEDY) {
        waiting.put(task.id(), WaitingReasons.explain(task.request(), snapshot.nodes()));
      } else if (reservation == null) {
        reservation = reserve(task);
        waiting.put(task.id(), reservationReason(task));
      } else if (place(task, false) != null) {
        waiting.put(
            task.id(),
            "waiting: the free GPUs are reserved for "
                + reservation.taskId()
                + ", which is next in line");
      } else {
        waiting.put(task.id(), WaitingReasons.explain(task.request(), snapshot.nodes()));
      }
    }

    /** The best placement now, or null; {@code honourReservation} false ignores the reservation. */
    Placement place(PendingTask task, boolean honourReservation) {
      ResourceRequest request = task.request();
      String bestNode = null;
      List<Integer> bestDevices = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      int feasible = 0;
      for (String nodeId : capacity.candidates(request.gpus(), config.tightestFirst())) {
        NodeSnapshot node = capacity.node(nodeId);
        if (!node.matches(request.nodeSelector())) {
          continue;
        }
        Set<Integer> excluded =
            honourReservation
                    && reservation != null
                    && reservation.nodeId().equals(nodeId)
                    && !endsBeforeReservation(task)
                ? Set.copyOf(reservation.deviceIndices())
                : Set.of();
        List<Integer> devices = capacity.pick(nodeId, request, excluded);
        if (devices == null) {
          continue;
        }
        double score = score(node, capacity.freeCount(nodeId), devices);
        if (score > bestScore || (score == bestScore && nodeId.compareTo(bestNode) < 0)) {
          bestScore = score;
          bestNode = nodeId;
          bestDevices = devices;
        }
        if (++feasible >= config.candidateLimit()) {
          break;
        }
      }
      return bestNode == null ? null : new Placement(task.id(), bestNode, bestDevices);
    }

    double score(NodeSnapshot node, int freeBefore, List<Integer> devices) {
      double total = 0;
      for (Map.Entry<NodeScorer, Double> scorer : config.scorers().entrySet()) {
        total += scorer.getValue() * scorer.getKey().score(node, freeBefore, devices);
      }
      return total;
    }

    boolean endsBeforeReservation(PendingTask task) {
      Optional<Instant> start = reservation.expectedStart();
      Optional<Duration> estimate = snapshot.estimates().estimate(task.profile());
      return start.isPresent()
          && estimate.isPresent()
          && !snapshot.now().plus(estimate.get()).isAfter(start.get());
    }

    /**
     * Holds GPUs for a task that does not fit: on the node where enough matching GPUs are expected
     * to be free soonest (known estimates first, then the node with most free now, then id).
     */
    Reservation reserve(PendingTask task) {
      ResourceRequest request = task.request();
      Reservation best = null;
      int bestFree = -1;
      for (NodeSnapshot node : snapshot.nodes()) {
        if (!node.ready() || !node.matches(request.nodeSelector())) {
          continue;
        }
        List<Integer> devices = new ArrayList<>();
        for (int index : capacity.free(node.id())) {
          if (request.accepts(capacity.device(node.id(), index))) {
            devices.add(index);
          }
        }
        int freeNow = devices.size();
        Optional<Instant> start = Optional.of(snapshot.now());
        for (RunningTask running : endingFirst(node.id())) {
          if (devices.size() >= request.gpus()) {
            break;
          }
          for (int index : running.deviceIndices()) {
            DeviceSnapshot device = capacity.device(node.id(), index);
            if (device != null && device.healthy() && request.accepts(device)) {
              devices.add(index);
            }
          }
          // Ending-first order: the last task needed sets the start; an unknown end makes it
          // unknown.
          if (start.isPresent()) {
            start = expectedEnd(running).map(end -> max(end, snapshot.now()));
          }
        }
        if (devices.size() < request.gpus()) {
          continue;
        }
        Reservation candidate =
            new Reservation(task.id(), node.id(), devices.subList(0, request.gpus()), start);
        if (best == null || better(candidate, freeNow, best, bestFree)) {
          best = candidate;
          bestFree = freeNow;
        }
      }
      return best;
    }

    private boolean better(Reservation a, int aFree, Reservation b, int bFree) {
      if (a.expectedStart().isPresent() != b.expectedStart().isPresent()) {
        return a.expectedStart().isPresent();
      }
      if (a.expectedStart().isPresent()) {
        int byTime = a.expectedStart().get().compareTo(b.expectedStart().get());
        if (byTime != 0) {
          return byTime < 0;
        }
      }
      if (aFree != bFree) {
        return aFree > bFree;
      }
      return a.nodeId().compareTo(b.nodeId()) < 0;
    }

    private List<RunningTask> endingFirst(String nodeId) {
      List<RunningTask> here = new ArrayList<>(runningByNode.getOrDefault(nodeId, List.of()));
      here.sort(
          Comparator.comparing((RunningTask r) -> expectedEnd(r).orElse(Instant.MAX))
              .thenComparing(RunningTask::id));
      return here;
    }

    private Optional<Instant> expectedEnd(RunningTask running) {
      return snapshot.estimates().estimate(running.profile()).map(d -> running.startTime().plus(d));
    }

    private String reservationReason(PendingTask task) {
      if (reservation == null) {
        return WaitingReasons.explain(task.request(), snapshot.nodes());
      }
      String where =
          "next in line: GPUs "
              + reservation.deviceIndices().stream()
                  .map(String::valueOf)
                  .reduce((a, b) -> a + "," + b)
                  .orElse("")
              + " on "
              + capacity.node(reservation.nodeId()).name()
              + " are reserved for it";
      return reservation
          .expectedStart()
          .map(
              s ->
                  where
                      + ", expected start in "
                      + Durations.words(Duration.between(snapshot.now(), s)))
          .orElse(where + " until the tasks there end");
    }
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
