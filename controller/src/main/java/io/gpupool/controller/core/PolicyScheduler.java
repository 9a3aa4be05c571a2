package io.gpupool.controller.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The configurable scheduler. One pass: order the queue (higher priority classes first, then the
 * configured order within a class); for each task (or whole gang) filter nodes (ready, labels, the
 * named node, model, memory, health and quarantine, free GPUs, the pinned GPUs), score the feasible
 * ones and place on the best. Quarantined GPUs take no work except a diagnostic pinned to them. A
 * task that does not fit may preempt preemptible lower-priority work (the smallest set of GPUs that
 * makes room), and with EASY backfill the first task that does not fit reserves GPUs that later
 * tasks may only use if they are expected to finish before it can start.
 *
 * <p>Pure and deterministic; keeps no state between passes.
 */
public final class PolicyScheduler implements SchedulingPolicy {
  private final PolicyConfig config;
  private final DecisionTimer timer;

  public PolicyScheduler(PolicyConfig config) {
    this(config, null);
  }

  /**
   * A scheduler that tells {@code timer} when each task's decision begins and ends, so a benchmark
   * can measure decision latency; {@code null} for none (then the hook costs one null check per
   * task).
   */
  public PolicyScheduler(PolicyConfig config, DecisionTimer timer) {
    this.config = config;
    this.timer = timer;
  }

  /**
   * Hears when each task's decision begins and ends within a pass: {@link #begin} before the
   * scheduler considers a task (or the gang it leads), {@link #end} right after. The core never
   * reads a clock; an implementation may. Called on the thread that runs {@link #schedule};
   * implementations must be fast and must not throw.
   */
  public interface DecisionTimer {
    /** A task's decision starts. */
    void begin();

    /** That decision is made. */
    void end();
  }

  public PolicyConfig config() {
    return config;
  }

  @Override
  public Plan schedule(ClusterSnapshot snapshot) {
    Pass pass = new Pass(snapshot);
    // Priority classes come first whatever the order within them: a preempting task must be
    // considered before the task it preempted, or the victim would take its GPUs straight back.
    List<PendingTask> ordered = new ArrayList<>(config.order().order(snapshot));
    ordered.sort(Comparator.comparingInt((PendingTask t) -> t.profile().priority()).reversed());
    DecisionTimer timer = this.timer;
    for (PendingTask task : ordered) {
      if (timer == null) {
        pass.decide(task);
      } else {
        timer.begin();
        pass.decide(task);
        timer.end();
      }
    }
    return new Plan(
        pass.placements,
        pass.waiting,
        pass.reservation == null ? List.of() : List.of(pass.reservation),
        pass.preemptions);
  }

  /** The working state of one pass. */
  private final class Pass {
    final ClusterSnapshot snapshot;
    final FreeCapacity capacity;
    final SharedGpus shared;
    final Duration reserveAfter;

    /** GPUs held per tenant, kept only for tenants with a quota (nothing else reads it). */
    final Map<String, Integer> tenantGpus = new HashMap<>();

    final Map<String, List<RunningTask>> runningByNode;

    /** The configured scorers and their weights, in the configuration's order. */
    final NodeScorer[] scorers;

    final double[] weights;
    final Map<String, List<PendingTask>> gangs = new HashMap<>();
    final Set<String> gangsDone = new HashSet<>();
    final Set<String> victimsChosen = new HashSet<>();
    final List<Placement> placements = new ArrayList<>();
    final Map<String, String> waiting = new LinkedHashMap<>();
    final List<Preemption> preemptions = new ArrayList<>();

    /**
     * Why requests do not fit, by request: the words depend only on the request and the nodes, and
     * a long queue holds few distinct requests, while each explanation reads every device.
     */
    final Map<ResourceRequest, String> explanations = new HashMap<>();

    /** Why memory shares do not fit, by request; cached for the same reason. */
    final Map<ResourceRequest, String> shareExplanations = new HashMap<>();

    /**
     * Requests that fit on no node, found earlier in this pass. Free capacity only shrinks during a
     * pass (a gang that does not fit gives back what it took, and then this is cleared), so such a
     * request fits nowhere for the rest of the pass: the many tasks behind a full cluster need not
     * scan the candidate nodes again each.
     */
    final Set<ResourceRequest> fitsNowhere = new HashSet<>();

    /** Requests that fit on no node once the reservation's GPUs are set aside; cleared likewise. */
    final Set<ResourceRequest> fitsNowhereBesideReservation = new HashSet<>();

    /** The reservation's GPUs as a set, for the reservation it was made from. */
    Set<Integer> reservedIndices = Set.of();

    Reservation reservedIndicesOf;

    /** True when some running task is already being preempted (its GPUs count as freeing). */
    boolean anyBeingPreempted;

    /** The lowest priority of a preemptible running task; MAX_VALUE when none is preemptible. */
    int lowestPreemptiblePriority = Integer.MAX_VALUE;

    Reservation reservation;
    String blockedBy;
    String strictReason;

    Pass(ClusterSnapshot snapshot) {
      this.snapshot = snapshot;
      this.capacity = new FreeCapacity(snapshot.nodes());
      this.shared = new SharedGpus(snapshot.nodes());
      this.reserveAfter = reserveAfter(snapshot);
      scorers = config.scorers().keySet().toArray(NodeScorer[]::new);
      weights = new double[scorers.length];
      for (int i = 0; i < scorers.length; i++) {
        weights[i] = config.scorers().get(scorers[i]);
      }
      runningByNode = new HashMap<>(Math.max(16, snapshot.nodes().size() * 4 / 3 + 1));
      for (RunningTask running : snapshot.running()) {
        hold(running.profile().tenant(), running.request().gpus());
        runningByNode.computeIfAbsent(running.nodeId(), n -> new ArrayList<>()).add(running);
        anyBeingPreempted |= running.beingPreempted();
        if (running.profile().preemptible()) {
          lowestPreemptiblePriority =
              Math.min(lowestPreemptiblePriority, running.profile().priority());
        }
      }
      for (PendingTask task : snapshot.queue()) {
        task.gang()
            .ifPresent(g -> gangs.computeIfAbsent(g.id(), id -> new ArrayList<>()).add(task));
      }
    }

    void decide(PendingTask task) {
      if (task.gang().isPresent()) {
        considerGang(task.gang().get());
      } else {
        consider(task);
      }
    }

    /**
     * How long a blocked task waits before it may hold a reservation: the configured minimum, or
     * {@code reserveAfterMedianWaits} times the median wait of the queue if that is longer.
     * Relative to the queue, so a task that waits far longer than its peers is protected at any
     * load, while ordinary waiters do not idle GPUs for a reservation.
     */
    private Duration reserveAfter(ClusterSnapshot snapshot) {
      if (config.reserveAfterMedianWaits() <= 0 || snapshot.queue().isEmpty()) {
        return config.reserveAfter();
      }
      long[] waits = new long[snapshot.queue().size()];
      for (int i = 0; i < waits.length; i++) {
        waits[i] =
            Duration.between(snapshot.queue().get(i).submitTime(), snapshot.now()).toMillis();
      }
      java.util.Arrays.sort(waits);
      Duration relative =
          Duration.ofMillis(Math.round(waits[waits.length / 2] * config.reserveAfterMedianWaits()));
      return relative.compareTo(config.reserveAfter()) > 0 ? relative : config.reserveAfter();
    }

    void consider(PendingTask task) {
      if (blockedBy != null) {
        waiting.put(task.id(), blockedReason());
        return;
      }
      String quota = quotaProblem(task.profile().tenant(), task.request().gpus());
      if (quota != null) {
        waiting.put(task.id(), quota);
        return;
      }
      if (task.request().isShare()) {
        Placement share =
            shared.place(
                task,
                capacity,
                config.tightestFirst(),
                nodeId ->
                    reservation != null && reservation.nodeId().equals(nodeId)
                        ? Set.copyOf(reservation.deviceIndices())
                        : Set.of());
        if (share == null) {
          waiting.put(
              task.id(),
              task.request().isPinned()
                  ? WaitingReasons.explainPinned(task.request(), snapshot.nodes())
                  : shareExplanations.computeIfAbsent(
                      task.request(), r -> WaitingReasons.explainShare(r, snapshot.nodes())));
        } else {
          placements.add(share);
        }
        return;
      }
      Placement placement = place(task, true);
      if (placement != null) {
        commit(task, placement);
        return;
      }
      if (task.request().isPinned()) {
        // It competes only for its own devices: it neither preempts, reserves nor holds the queue.
        waiting.put(task.id(), WaitingReasons.explainPinned(task.request(), snapshot.nodes()));
        return;
      }
      if (preemptFor(task)) {
        return;
      }
      switch (config.backfill()) {
        case NONE -> {
          blockedBy = task.id();
          waiting.put(task.id(), explain(task.request()));
        }
        case GREEDY -> waiting.put(task.id(), explain(task.request()));
        case EASY -> {
          boolean young =
              Duration.between(task.submitTime(), snapshot.now()).compareTo(reserveAfter) < 0;
          if (young && reservation == null) {
            waiting.put(task.id(), explain(task.request()));
          } else if (reservation == null) {
            reservation = reserve(task);
            waiting.put(task.id(), reservationReason(task));
          } else if (fitsOnReservedNode(task)) {
            waiting.put(
                task.id(),
                "waiting: the free GPUs are reserved for "
                    + reservation.taskId()
                    + ", which is next in line");
          } else {
            waiting.put(task.id(), explain(task.request()));
          }
        }
      }
    }

    /** Places every member of a gang now, or none of them. Gangs do not reserve or preempt. */
    void considerGang(Gang gang) {
      if (!gangsDone.add(gang.id())) {
        return;
      }
      List<PendingTask> members = new ArrayList<>(gangs.get(gang.id()));
      members.sort(Comparator.comparingInt(t -> t.gang().get().rank()));
      String why = null;
      if (blockedBy != null) {
        why = blockedReason();
      } else if (members.size() < gang.size()) {
        why =
            "gang "
                + gang.id()
                + ": only "
                + members.size()
                + " of "
                + gang.size()
                + " members are pending";
      } else {
        int gpus = members.stream().mapToInt(t -> t.request().gpus()).sum();
        why = quotaProblem(members.get(0).profile().tenant(), gpus);
      }
      if (why == null) {
        List<Placement> tentative = new ArrayList<>();
        for (PendingTask member : members) {
          Placement placement = place(member, true);
          if (placement == null) {
            break;
          }
          capacity.take(placement.nodeId(), placement.deviceIndices());
          tentative.add(placement);
        }
        if (tentative.size() == members.size()) {
          for (int i = 0; i < members.size(); i++) {
            placements.add(tentative.get(i));
            hold(members.get(i).profile().tenant(), members.get(i).request().gpus());
          }
          return;
        }
        tentative.forEach(p -> capacity.release(p.nodeId(), p.deviceIndices()));
        if (!tentative.isEmpty()) {
          fitsNowhere.clear();
          fitsNowhereBesideReservation.clear();
        }
        why =
            "gang "
                + gang.id()
                + ": only "
                + tentative.size()
                + " of "
                + gang.size()
                + " members fit now; all start together";
        boolean old =
            Duration.between(members.get(0).submitTime(), snapshot.now()).compareTo(reserveAfter)
                >= 0;
        if (config.backfill() == PolicyConfig.Backfill.NONE
            || (config.backfill() == PolicyConfig.Backfill.EASY && old && reservation == null)) {
          // A gang spans nodes, which a one-node reservation cannot hold; once it is due a
          // reservation it holds the queue instead, so GPUs free up until all of it fits.
          blockedBy = gang.id();
          strictReason =
              "waiting behind gang " + gang.id() + ", which holds the queue so it can start";
        }
      }
      for (PendingTask member : members) {
        waiting.put(member.id(), why);
      }
    }

    private String blockedReason() {
      return strictReason != null
          ? strictReason
          : "waiting behind " + blockedBy + " (strict order)";
    }

    private String explain(ResourceRequest request) {
      return explanations.computeIfAbsent(
          request, r -> WaitingReasons.explain(r, snapshot.nodes()));
    }

    /** Counts GPUs a tenant holds, for its quota; tenants without one are not counted. */
    private void hold(String tenant, int gpus) {
      if (config.tenantMaxGpus().containsKey(tenant)) {
        tenantGpus.merge(tenant, gpus, Integer::sum);
      }
    }

    private String quotaProblem(String tenant, int gpus) {
      Integer quota = config.tenantMaxGpus().get(tenant);
      int held = tenantGpus.getOrDefault(tenant, 0);
      if (quota != null && held + gpus > quota) {
        return "quota of tenant " + tenant + " reached (" + held + " of " + quota + " GPUs in use)";
      }
      return null;
    }

    private void commit(PendingTask task, Placement placement) {
      capacity.take(placement.nodeId(), placement.deviceIndices());
      placements.add(placement);
      hold(task.profile().tenant(), task.request().gpus());
    }

    /** The best placement now, or null; {@code honourReservation} false ignores the reservation. */
    Placement place(PendingTask task, boolean honourReservation) {
      ResourceRequest request = task.request();
      boolean excluding =
          honourReservation
              && reservation != null
              && !reservation.taskId().equals(task.id())
              && !endsBeforeReservation(task);
      if (fitsNowhere.contains(request)
          || (excluding && fitsNowhereBesideReservation.contains(request))) {
        return null;
      }
      String bestNode = null;
      List<Integer> bestDevices = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      int feasible = 0;
      // A named node is looked up directly: a diagnostic pinned to a quarantined GPU must find its
      // node even when that node has no free GPU.
      Iterable<String> candidates =
          request.node().isEmpty()
              ? capacity.candidates(request.gpus(), config.tightestFirst())
              : capacity.named(request.node());
      for (String nodeId : candidates) {
        NodeSnapshot node = capacity.node(nodeId);
        if (!request.admits(node)) {
          continue;
        }
        Set<Integer> excluded =
            excluding && reservation.nodeId().equals(nodeId) ? reservedIndices() : Set.of();
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
      if (bestNode == null) {
        (excluding ? fitsNowhereBesideReservation : fitsNowhere).add(request);
        return null;
      }
      return new Placement(task.id(), bestNode, bestDevices);
    }

    private Set<Integer> reservedIndices() {
      if (reservedIndicesOf != reservation) {
        reservedIndices = Set.copyOf(reservation.deviceIndices());
        reservedIndicesOf = reservation;
      }
      return reservedIndices;
    }

    /**
     * Whether {@code task} would fit if the reservation's GPUs were not held back, asked right
     * after {@code place(task, true)} found no node. That search already checked every other node
     * without setting anything aside, so only the reservation's node can make the difference: the
     * same answer as {@code place(task, false) != null} without scanning the candidates again.
     */
    private boolean fitsOnReservedNode(PendingTask task) {
      String nodeId = reservation.nodeId();
      ResourceRequest request = task.request();
      return request.admits(capacity.node(nodeId))
          && capacity.pick(nodeId, request, Set.of()) != null;
    }

    double score(NodeSnapshot node, int freeBefore, List<Integer> devices) {
      double total = 0;
      for (int i = 0; i < scorers.length; i++) {
        total += weights[i] * scorers[i].score(node, freeBefore, devices);
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
     * Makes room for a task by preempting preemptible tasks of lower priority: on the node where
     * the fewest GPUs must be taken back (tasks already being preempted count as free), lowest
     * priority and youngest victims first. Returns true when room is (being) made; the task then
     * holds the reservation of those GPUs if nobody else does.
     */
    boolean preemptFor(PendingTask task) {
      int priority = task.profile().priority();
      // Most blocked tasks have nothing to preempt: answer that from the pass's summary of the
      // running tasks instead of scanning them again for every task.
      boolean anyVictim = anyBeingPreempted || lowestPreemptiblePriority < priority;
      if (!anyVictim) {
        return false;
      }
      ResourceRequest request = task.request();
      String bestNode = null;
      List<RunningTask> bestVictims = null;
      List<Integer> bestDevices = null;
      int bestCost = Integer.MAX_VALUE;
      for (NodeSnapshot node : snapshot.nodes()) {
        if (!node.ready() || !request.admits(node)) {
          continue;
        }
        List<Integer> devices =
            capacity.freeAccepted(
                node.id(),
                request,
                reservation != null && reservation.nodeId().equals(node.id())
                    ? reservedIndices()
                    : Set.of());
        List<RunningTask> candidates = new ArrayList<>();
        for (RunningTask running : runningByNode.getOrDefault(node.id(), List.of())) {
          boolean freeing = running.beingPreempted();
          boolean eligible =
              running.profile().preemptible()
                  && running.profile().priority() < priority
                  && !victimsChosen.contains(running.id());
          if (freeing || eligible) {
            candidates.add(running);
          }
        }
        candidates.sort(
            Comparator.comparing((RunningTask r) -> !r.beingPreempted())
                .thenComparingInt(r -> r.profile().priority())
                .thenComparing(RunningTask::startTime, Comparator.reverseOrder())
                .thenComparing(RunningTask::id));
        List<RunningTask> victims = new ArrayList<>();
        int cost = 0;
        for (RunningTask running : candidates) {
          if (devices.size() >= request.gpus()) {
            break;
          }
          victims.add(running);
          if (!running.beingPreempted()) {
            cost += running.deviceIndices().size();
          }
          for (int index : running.deviceIndices()) {
            DeviceSnapshot device = capacity.device(node.id(), index);
            if (device != null && device.healthy() && request.accepts(device)) {
              devices.add(index);
            }
          }
        }
        if (devices.size() >= request.gpus()
            && (cost < bestCost || (cost == bestCost && node.id().compareTo(bestNode) < 0))) {
          bestCost = cost;
          bestNode = node.id();
          bestVictims = victims;
          bestDevices = devices.subList(0, request.gpus());
        }
      }
      if (bestNode == null) {
        return false;
      }
      List<String> names = new ArrayList<>();
      for (RunningTask victim : bestVictims) {
        names.add(victim.id());
        victimsChosen.add(victim.id());
        if (!victim.beingPreempted()) {
          preemptions.add(
              new Preemption(
                  victim.id(),
                  task.id(),
                  "preempted by "
                      + task.id()
                      + " (priority "
                      + priority
                      + " > "
                      + victim.profile().priority()
                      + ")"));
        }
      }
      if (reservation == null && config.backfill() == PolicyConfig.Backfill.EASY) {
        reservation = new Reservation(task.id(), bestNode, bestDevices, Optional.empty());
      }
      waiting.put(
          task.id(),
          "preempting "
              + String.join(", ", names)
              + " on "
              + capacity.node(bestNode).name()
              + " to make room (priority "
              + priority
              + ")");
      return true;
    }

    /**
     * Holds GPUs for a task that does not fit: on the node where enough matching GPUs are expected
     * to be free soonest (known estimates first, then the node with most free now, then id).
     */
    Reservation reserve(PendingTask task) {
      ResourceRequest request = task.request();
      String bestNode = null;
      List<Integer> bestDevices = null;
      Optional<Instant> bestStart = null;
      int bestFree = -1;
      for (NodeSnapshot node : snapshot.nodes()) {
        if (!node.ready() || !request.admits(node)) {
          continue;
        }
        List<Integer> devices = capacity.freeAccepted(node.id(), request, Set.of());
        int freeNow = devices.size();
        Optional<Instant> start = Optional.of(snapshot.now());
        // Only a node without enough free GPUs needs its running tasks in ending order.
        if (devices.size() < request.gpus()) {
          for (Ending ending : endingFirst(node.id())) {
            if (devices.size() >= request.gpus()) {
              break;
            }
            for (int index : ending.task().deviceIndices()) {
              DeviceSnapshot device = capacity.device(node.id(), index);
              if (device != null && device.healthy() && request.accepts(device)) {
                devices.add(index);
              }
            }
            // Ending-first order: the last task needed sets the start; an unknown end makes it
            // unknown.
            if (start.isPresent()) {
              start = ending.end().map(e -> e.isAfter(snapshot.now()) ? e : snapshot.now());
            }
          }
        }
        if (devices.size() < request.gpus()) {
          continue;
        }
        if (bestNode == null || better(start, freeNow, node.id(), bestStart, bestFree, bestNode)) {
          bestNode = node.id();
          bestDevices = devices.subList(0, request.gpus());
          bestStart = start;
          bestFree = freeNow;
        }
      }
      return bestNode == null ? null : new Reservation(task.id(), bestNode, bestDevices, bestStart);
    }

    private boolean better(
        Optional<Instant> aStart,
        int aFree,
        String aNode,
        Optional<Instant> bStart,
        int bFree,
        String bNode) {
      if (aStart.isPresent() != bStart.isPresent()) {
        return aStart.isPresent();
      }
      if (aStart.isPresent()) {
        int byTime = aStart.get().compareTo(bStart.get());
        if (byTime != 0) {
          return byTime < 0;
        }
      }
      if (aFree != bFree) {
        return aFree > bFree;
      }
      return aNode.compareTo(bNode) < 0;
    }

    /** A running task with its expected end, computed once rather than once per comparison. */
    private record Ending(RunningTask task, Optional<Instant> end, Instant sortKey) {}

    private static final Comparator<Ending> ENDING_FIRST =
        Comparator.comparing(Ending::sortKey).thenComparing(e -> e.task().id());

    private List<Ending> endingFirst(String nodeId) {
      List<RunningTask> running = runningByNode.getOrDefault(nodeId, List.of());
      List<Ending> here = new ArrayList<>(running.size());
      for (RunningTask task : running) {
        Optional<Instant> end = expectedEnd(task);
        here.add(new Ending(task, end, end.orElse(Instant.MAX)));
      }
      here.sort(ENDING_FIRST);
      return here;
    }

    private Optional<Instant> expectedEnd(RunningTask running) {
      return ExpectedEnd.of(running, snapshot.now(), snapshot.estimates());
    }

    private String reservationReason(PendingTask task) {
      if (reservation == null) {
        return explain(task.request());
      }
      String where =
          "next in line: GPUs "
              + reservation.deviceIndices().stream()
                  .sorted()
                  .map(String::valueOf)
                  .collect(Collectors.joining(","))
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
}
