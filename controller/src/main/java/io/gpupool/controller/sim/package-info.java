/**
 * The trace simulator: replays a job trace (CSV) on a described cluster in virtual time through the
 * real scheduling core, and reports job completion times, queueing delays, makespan and GPU
 * utilization per policy, as JSON and as a self-contained HTML page.
 *
 * <p>Pipeline: {@link io.gpupool.controller.sim.TraceReader} reads a {@link
 * io.gpupool.controller.sim.Trace}; {@link io.gpupool.controller.sim.ClusterSpec} describes the
 * nodes; {@link io.gpupool.controller.sim.Simulator} runs one policy and yields a {@link
 * io.gpupool.controller.sim.SimulationResult}; {@link io.gpupool.controller.sim.SimulationReport}
 * turns results into metrics and JSON, {@link io.gpupool.controller.sim.HtmlReport} into a page.
 *
 * <p>May depend on {@code core}, {@code java.*} and slf4j only: no gRPC, no store, no threads, no
 * wall clock. Time is virtual (milliseconds from the trace start, shown to the core as instants
 * from the epoch), ties break on job ids and nothing is random without a seed, so the same inputs
 * always give byte-identical reports.
 */
package io.gpupool.controller.sim;
