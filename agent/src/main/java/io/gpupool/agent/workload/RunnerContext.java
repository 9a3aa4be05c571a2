package io.gpupool.agent.workload;

import io.gpupool.agent.cuda.CudaDriverSource;
import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskUpdate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every task execution of a runner shares.
 *
 * @param backend the node's devices, told which ones are busy
 * @param stateDir the agent's state dir; tasks without working_dir run under {@code tasks/<id>}
 * @param clock time of the updates
 * @param sink receives the updates
 * @param io threads that block: CUDA work run in the agent
 * @param timers short timed jobs: run-time limits, kill deadlines, GPU memory checks, and the
 *     poller's turns
 * @param poller gives every command task a turn on the timer thread to read its output files and
 *     notice its end
 * @param cuda the CUDA driver for cuda_kernel and diagnostic tasks, loaded when first needed
 * @param gpuMemoryCheckInterval how often a task with a GPU share has its GPU memory checked
 * @param mps the node's MPS daemon, if one runs
 * @param workloads whom command workloads run as, their environment and output limits
 * @param users resolves the run-as user of each command task
 */
record RunnerContext(
    DeviceBackend backend,
    Path stateDir,
    Clock clock,
    TaskUpdateSink sink,
    ExecutorService io,
    ScheduledExecutorService timers,
    TaskPoller poller,
    CudaDriverSource cuda,
    Duration gpuMemoryCheckInterval,
    MpsControl mps,
    WorkloadSettings workloads,
    WorkloadUsers users) {

  /**
   * The context of one attempt of a task: the same, with every update stamped with the attempt, so
   * that the controller can tell a late update of an earlier attempt from one of the current.
   */
  RunnerContext forAttempt(int attempt) {
    TaskUpdateSink stamped = update -> sink.accept(update.toBuilder().setAttempt(attempt).build());
    return new RunnerContext(
        backend,
        stateDir,
        clock,
        stamped,
        io,
        timers,
        poller,
        cuda,
        gpuMemoryCheckInterval,
        mps,
        workloads,
        users);
  }

  /** Reports that a task's workload ended, now, with its result and why it was stopped. */
  void reportEnded(String taskId, TaskResult result, boolean cancelled, boolean preempted) {
    sink.accept(
        TaskUpdate.newBuilder()
            .setTaskId(taskId)
            .setEnded(
                TaskEnded.newBuilder()
                    .setTime(ProtoTime.timestamp(clock.instant()))
                    .setResult(result)
                    .setCancelled(cancelled)
                    .setPreempted(preempted))
            .build());
  }
}
