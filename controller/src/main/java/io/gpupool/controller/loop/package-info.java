/**
 * The scheduling loop: the single writer of the cluster state.
 *
 * <p>RPC threads never touch {@code state}; they {@link
 * io.gpupool.controller.loop.SchedulerLoop#offer offer} events. One pass ({@link
 * io.gpupool.controller.loop.SchedulerLoop#runOnce}) applies every queued event, asks the pure core
 * for a plan, commits all changes in one transaction, and only then answers callers, publishes
 * events to watchers and sends commands to agents — so nothing is acknowledged or started that is
 * not durable. Depends on {@code core}, {@code state}, {@code store}, {@code watch}, {@code error},
 * {@code limits} (the per-task output limits, applied by {@code LogLimiter}) and the generated
 * protos; never on gRPC server classes.
 *
 * <p>{@code SchedulerLoop} owns the pass and hands events to {@code ClientRequests} (submit,
 * cancel, cordon) and {@code AgentEvents} (register, hello, heartbeats, task updates); {@code
 * PlanApplier} runs the policy and applies its plan; {@code TaskEndings} and {@code AgentCommands}
 * serve them all; {@code Pass} collects what one pass changed. {@code UsageMeter} turns each
 * heartbeat into the usage (GPU-seconds, idle GPU-seconds, joules) of the tasks on the node.
 */
package io.gpupool.controller.loop;
