/**
 * The scheduling loop: the single writer of the cluster state.
 *
 * <p>RPC threads never touch {@code state}; they {@link
 * io.gpupool.controller.loop.SchedulerLoop#offer offer} events. One pass ({@link
 * io.gpupool.controller.loop.SchedulerLoop#runOnce}) applies every queued event, asks the pure core
 * for a plan, commits all changes in one transaction, and only then answers callers, publishes
 * events to watchers and sends commands to agents — so nothing is acknowledged or started that is
 * not durable. Depends on {@code core}, {@code state}, {@code store}, {@code watch}, {@code error}
 * and the generated protos; never on gRPC server classes.
 */
package io.gpupool.controller.loop;
