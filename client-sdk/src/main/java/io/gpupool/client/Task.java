package io.gpupool.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A snapshot of a task as the controller knew it when it answered. Immutable; ask again ({@link
 * GpuPoolClient#getTask}) or watch ({@link TaskHandle#events()}) for newer state.
 *
 * <p>Instances are made by the client; the constructor is public so that tests can build them, and
 * may gain components in later versions.
 *
 * @param id controller-assigned id, e.g. {@code t-42}; unique and never reused
 * @param name the name given at submission
 * @param state the current state
 * @param reason why the task is in its state, in words (e.g. why it is still pending)
 * @param gpus number of GPUs requested
 * @param createTime when the controller accepted the task
 * @param startTime when the workload started running; empty before
 * @param endTime when the task reached a terminal state; empty before
 * @param placement the node and GPUs it runs or ran on; empty while pending
 * @param exitCode the workload's exit code (128+N when killed by signal N); empty until it ended,
 *     or when the process never started
 * @param resultMessage a short explanation of the outcome; empty until the task ended
 * @param transitions every state the task went through, oldest first
 * @param progress the latest progress the workload reported, if any
 * @param cancelRequested true once a cancel was requested and the workload is being stopped
 * @param requestId the request id given at submission; empty if none
 * @param resultReasonCode a machine-readable cause when the agent stopped or failed the workload,
 *     e.g. {@code GPU_MEMORY_EXCEEDED}, {@code GPU_UNHEALTHY} or a CUDA error name such as {@code
 *     CUDA_ERROR_INVALID_PTX}; empty when the workload ended by itself or has not ended
 * @param kernelResult timing and outputs of a {@link CudaKernel} workload that ran
 * @param diagnosticReport per-GPU results of a {@link Diagnostic} workload
 */
public record Task(
    String id,
    String name,
    TaskState state,
    String reason,
    int gpus,
    Instant createTime,
    Optional<Instant> startTime,
    Optional<Instant> endTime,
    Optional<Placement> placement,
    OptionalInt exitCode,
    String resultMessage,
    List<StateTransition> transitions,
    Optional<Progress> progress,
    boolean cancelRequested,
    String requestId,
    String resultReasonCode,
    Optional<KernelResult> kernelResult,
    Optional<DiagnosticReport> diagnosticReport) {
  /** Checks that no component is null and copies the transitions. */
  public Task {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(createTime, "createTime");
    Objects.requireNonNull(startTime, "startTime");
    Objects.requireNonNull(endTime, "endTime");
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(exitCode, "exitCode");
    Objects.requireNonNull(resultMessage, "resultMessage");
    transitions = List.copyOf(transitions);
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(resultReasonCode, "resultReasonCode");
    Objects.requireNonNull(kernelResult, "kernelResult");
    Objects.requireNonNull(diagnosticReport, "diagnosticReport");
  }

  /** Returns whether the task has ended ({@link TaskState#isTerminal()}). */
  public boolean isTerminal() {
    return state.isTerminal();
  }
}
