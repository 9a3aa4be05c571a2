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
 * <p>Preemption follows the notice protocol of {@code PreemptTaskCommand}: the notice (task id,
 * reason, RFC 3339 deadline, attempt) is written as JSON to the file named in {@code
 * GPUPOOL_NOTICE_FILE}, the main process gets SIGUSR1, and the tree is stopped when the workload
 * prints the control line {@code ##gpupool checkpointed} on stdout, or at the deadline. Control
 * lines are acted on and never reported as output or progress.
 *
 * <p>May depend on {@code io.gpupool.agent.device}, the generated proto messages and slf4j; not on
 * gRPC or the session.
 */
package io.gpupool.agent.workload;
