/**
 * {@code gpupool bench scheduler}: the scheduling core alone, timed on a large synthetic cluster.
 * Builds snapshots of many ready nodes and a long pending queue, calls the real policy in passes as
 * the live loop would (placements start, a slice of running work completes, the next pass runs) and
 * reports placements per second of scheduling time and per-decision latency percentiles.
 *
 * <p>May depend on {@code core} and {@code java.*} only (including {@code java.lang.management} for
 * the heap figure): no gRPC, no store, no threads. It reads {@link java.lang.System#nanoTime} to
 * time the core, which the core itself may not; the cluster's time is virtual, and the workload is
 * generated from a seed, so every run schedules the same decisions.
 */
package io.gpupool.controller.bench;
