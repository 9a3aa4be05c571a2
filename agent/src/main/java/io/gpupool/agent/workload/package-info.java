/**
 * Runs the workloads the controller assigns to this node and reports what happens to them as task
 * updates (started, output lines, progress, ended) through a {@link
 * io.gpupool.agent.workload.TaskUpdateSink}.
 *
 * <p>Today's workload is a {@code command}: a process started directly (no shell) with the assigned
 * GPUs exposed through {@code CUDA_VISIBLE_DEVICES}, its output captured line by line, {@code
 * ##gpupool} progress lines parsed, and its whole process tree stopped with SIGTERM then SIGKILL
 * when cancelled or over its run time.
 *
 * <p>May depend on {@code io.gpupool.agent.device}, the generated proto messages and slf4j; not on
 * gRPC or the session.
 */
package io.gpupool.agent.workload;
