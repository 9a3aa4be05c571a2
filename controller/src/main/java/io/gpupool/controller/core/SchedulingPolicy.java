package io.gpupool.controller.core;

/**
 * Decides which pending tasks start where.
 *
 * <p>Implementations are pure and deterministic: the same snapshot yields the same plan. They must
 * never place two tasks on one device nor on a device that is allocated, unhealthy or on a node
 * that is not ready.
 */
public interface SchedulingPolicy {

  /** Computes the placements for this instant. Never throws for any well-formed snapshot. */
  Plan schedule(ClusterSnapshot snapshot);
}
