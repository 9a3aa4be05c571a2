package io.gpupool.controller.loop;

import java.time.Duration;

/**
 * Timing settings of the scheduling loop.
 *
 * @param heartbeatTimeout silence after which a node's session is closed
 * @param preemptionNotice time a preempted task gets between its notice and SIGTERM
 */
public record LoopSettings(Duration heartbeatTimeout, Duration preemptionNotice) {
  /** 10 s heartbeat timeout, 30 s preemption notice. */
  public static final LoopSettings DEFAULTS =
      new LoopSettings(Duration.ofSeconds(10), Duration.ofSeconds(30));
}
