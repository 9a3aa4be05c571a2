/**
 * The scheduling core: a pure function from a {@link io.gpupool.controller.core.ClusterSnapshot} to
 * a {@link io.gpupool.controller.core.Plan}.
 *
 * <p>May depend on {@code java.*} only: no gRPC, no protobuf, no JDBC, no threads, no wall clock.
 * Time arrives in the snapshot; ties break on ids, so the same snapshot always yields the same
 * plan. The live controller and (later) the simulator call the same code. Guarded by {@code
 * CoreArchitectureTest}.
 */
package io.gpupool.controller.core;
