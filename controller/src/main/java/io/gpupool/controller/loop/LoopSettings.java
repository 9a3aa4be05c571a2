package io.gpupool.controller.loop;

import java.time.Duration;

/**
 * Timing settings of the scheduling loop.
 *
 * @param heartbeatTimeout silence after which a node's session is closed and it gets no new work
 *     (the node is suspect; its tasks are presumed still running)
 * @param preemptionNotice time a preempted task gets between its notice and SIGTERM
 * @param nodeLostAfter silence after which a node is lost: its tasks are requeued (NODE_LOST)
 * @param maxLostRequeues how often a task may be requeued for lost nodes before it fails
 * @param idleUtilizationPercent an allocated GPU sampled under this utilization counts as idle in
 *     the task's usage
 */
public record LoopSettings(
    Duration heartbeatTimeout,
    Duration preemptionNotice,
    Duration nodeLostAfter,
    int maxLostRequeues,
    double idleUtilizationPercent) {
  /** The default idle threshold of usage accounting, in percent utilization. */
  public static final double DEFAULT_IDLE_UTILIZATION_PERCENT = 5.0;

  /**
   * Suspect after 10 s, lost after 30 s (Kubernetes marks a node NotReady after about 40-50 s and
   * evicts later; Nomad gives clients a 10 s heartbeat grace), 30 s preemption notice, 3 requeues.
   */
  public static final LoopSettings DEFAULTS =
      new LoopSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 3);

  /** The given timings with the default idle threshold. */
  public LoopSettings(
      Duration heartbeatTimeout,
      Duration preemptionNotice,
      Duration nodeLostAfter,
      int maxLostRequeues) {
    this(
        heartbeatTimeout,
        preemptionNotice,
        nodeLostAfter,
        maxLostRequeues,
        DEFAULT_IDLE_UTILIZATION_PERCENT);
  }

  public LoopSettings {
    if (nodeLostAfter.compareTo(heartbeatTimeout) < 0) {
      throw new IllegalArgumentException(
          "the node-lost deadline must not be shorter than the heartbeat timeout");
    }
    if (maxLostRequeues < 0) {
      throw new IllegalArgumentException("maxLostRequeues must not be negative");
    }
    if (!(idleUtilizationPercent >= 0 && idleUtilizationPercent <= 100)) {
      throw new IllegalArgumentException("idleUtilizationPercent must be between 0 and 100");
    }
  }

  /** The given timeout and notice, with the default lost deadline and requeue limit. */
  public LoopSettings(Duration heartbeatTimeout, Duration preemptionNotice) {
    this(
        heartbeatTimeout,
        preemptionNotice,
        heartbeatTimeout.compareTo(DEFAULTS.nodeLostAfter()) > 0
            ? heartbeatTimeout
            : DEFAULTS.nodeLostAfter(),
        DEFAULTS.maxLostRequeues());
  }
}
