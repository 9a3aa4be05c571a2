package io.gpupool.controller.loop;

import io.gpupool.controller.core.RuntimeEstimator;
import io.gpupool.controller.core.SchedulingPolicy;
import io.gpupool.controller.state.ClusterState;
import io.gpupool.controller.store.Store;
import java.time.Duration;

/**
 * What the loop's handlers share: the store, the policy, the learned estimates, the settings and
 * the current cluster state (replaced as a whole when it is reloaded after a store failure).
 *
 * <p>Not thread-safe; used on the loop thread only.
 */
final class LoopContext {
  final Store store;
  final SchedulingPolicy policy;
  final RuntimeEstimator estimator = new RuntimeEstimator();
  final Duration heartbeatTimeout;
  final Duration preemptionNotice;
  final Duration nodeLostAfter;
  final int maxLostRequeues;
  final double idleUtilizationPercent;
  final LoopMetrics metrics;
  ClusterState state;

  LoopContext(
      Store store,
      SchedulingPolicy policy,
      LoopSettings settings,
      ClusterState state,
      LoopMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
    this.policy = policy;
    this.heartbeatTimeout = settings.heartbeatTimeout();
    this.preemptionNotice = settings.preemptionNotice();
    this.nodeLostAfter = settings.nodeLostAfter();
    this.maxLostRequeues = settings.maxLostRequeues();
    this.idleUtilizationPercent = settings.idleUtilizationPercent();
    this.state = state;
  }
}
