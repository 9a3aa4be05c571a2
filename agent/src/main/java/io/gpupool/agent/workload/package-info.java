/**
 * Runs the workloads the controller assigns to this node and reports what happens to them as task
 * updates (started, output lines, progress, ended) through a {@link
 * io.gpupool.agent.workload.TaskUpdateSink}.
 *
 * <p>The spec's workload picks the {@code Execution}: a {@code command} is a process (argv run as
 * given, never through a shell) with the assigned GPUs exposed through {@code
 * CUDA_VISIBLE_DEVICES}, its output captured line by line, {@code ##gpupool} progress lines parsed,
 * and its whole process tree stopped with SIGTERM then SIGKILL when cancelled or over its run time.
 * It runs under a {@code Supervisor}, a small {@code sh} in a session of its own that writes the
 * workload's output and exit status to files in the task's {@code SupervisorDir}; one {@code
 * TaskPoller} job reads them for every task, and an agent restarted after a crash takes the tasks
 * over from there ({@code TaskRunner.reattach}), reporting each end once. A command with a GPU
 * share ({@code Resources.gpu_memory_bytes}) gets MPS limits where an MPS daemon runs and is
 * stopped (GPU_MEMORY_EXCEEDED) when its processes use more device memory than the share. A {@code
 * cuda_kernel} or {@code diagnostic} runs in the agent on a thread of its own through {@link
 * io.gpupool.agent.cuda}; it cannot be interrupted, so stops are reported when it ends, and it dies
 * with the agent process.
 *
 * <p>Command workloads are fenced off from the agent and from each other's users: they run as the
 * configured user ({@code WorkloadSettings.runAs}, through {@code setpriv} when it is not the
 * agent's own; {@code WorkloadUsers}), in a work dir of their own next to the agent-owned
 * supervisor dir ({@code TaskDirectories}), from an allow-listed environment ({@code
 * TaskEnvironment}), and their output is capped in total, rate-limited and kept small on disk
 * ({@code OutputLimits}, {@code TaskOutput}, {@code TaskOutputFiles}).
 *
 * <p>Preemption follows the notice protocol of {@code PreemptTaskCommand}: the notice (task id,
 * reason, RFC 3339 deadline, attempt) is written as JSON to the file named in {@code
 * GPUPOOL_NOTICE_FILE}, the workload's main process gets SIGUSR1, and the tree is stopped when the
 * workload prints the control line {@code ##gpupool checkpointed} on stdout, or at the deadline.
 * Control lines are acted on and never reported as output or progress.
 *
 * <p>May depend on {@code io.gpupool.agent.device}, {@code io.gpupool.agent.cuda}, the generated
 * proto messages and slf4j; not on gRPC or the session.
 */
package io.gpupool.agent.workload;
