/**
 * gpupool's benchmarks, which hold it to its scale targets.
 *
 * <p>{@code gpupool bench scheduler} ({@link io.gpupool.controller.bench.SchedulerBenchmark}): the
 * scheduling core alone, timed on a large synthetic cluster. Builds snapshots of many ready nodes
 * and a long pending queue, calls the real policy in passes as the live loop would (placements
 * start, a slice of running work completes, the next pass runs) and reports placements per second
 * of scheduling time and per-decision latency percentiles. That part depends on {@code core} and
 * {@code java.*} only (including {@code java.lang.management} for the heap figure): no gRPC, no
 * store, no threads. The cluster's time is virtual, and the workload is generated from a seed, so
 * every run schedules the same decisions.
 *
 * <p>{@code gpupool bench e2e} ({@link io.gpupool.controller.bench.E2eBenchmark}): durable submits
 * per second through a real {@link io.gpupool.controller.Controller} on loopback, over gRPC clients
 * in the same JVM, on H2 or PostgreSQL. That part also depends on the controller's public entry
 * point, the generated {@code io.gpupool.proto.v1} stubs and grpc-java, and runs its own client
 * threads.
 *
 * <p>Both read {@link java.lang.System#nanoTime} to time what they measure, which the core itself
 * may not.
 */
package io.gpupool.controller.bench;
