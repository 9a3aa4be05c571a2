package io.gpupool.client;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a task ended, as returned by {@link TaskHandle#await}. Immutable.
 *
 * @param state the terminal state: {@link TaskState#SUCCEEDED}, {@link TaskState#FAILED} or {@link
 *     TaskState#CANCELLED}
 * @param exitCode the workload's exit code; empty when the process never started
 * @param message a short explanation, e.g. {@code exec failed: no such file}; may be empty
 * @param task the final snapshot of the task
 */
public record TaskResult(TaskState state, OptionalInt exitCode, String message, Task task) {
  /** Checks that no component is null. */
  public TaskResult {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(exitCode, "exitCode");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(task, "task");
  }

  /** Returns the task's {@link Task#resultReasonCode()}, e.g. {@code CUDA_ERROR_INVALID_PTX}. */
  public String reasonCode() {
    return task.resultReasonCode();
  }

  /** Returns the task's {@link Task#kernelResult()}: timing and outputs of a CUDA kernel. */
  public Optional<KernelResult> kernel() {
    return task.kernelResult();
  }

  /** Returns the task's {@link Task#diagnosticReport()}: per-GPU diagnostic results. */
  public Optional<DiagnosticReport> diagnostic() {
    return task.diagnosticReport();
  }

  /** Returns whether the task succeeded (ended with exit code 0). */
  public boolean succeeded() {
    return state == TaskState.SUCCEEDED;
  }
}
