package io.gpupool.cli.client;

import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.WatchTaskRequest;
import io.gpupool.proto.v1.WatchTaskResponse;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Follows a task's WatchTask stream from its first event to its end, handing each event to a sink
 * on the calling thread, and says how the task ended.
 *
 * <p>Failures of the stream surface as {@code StatusRuntimeException}.
 */
final class TaskWatch {
  /** How a watched task ended. */
  record Outcome(TaskState state, TaskResult result) {
    /**
     * The process exit code that mirrors the task: 0 when it succeeded, its own exit code when it
     * failed or was cancelled with one, 1 otherwise (no exit code, or one a process cannot return).
     */
    int exitCode() {
      if (state == TaskState.TASK_STATE_SUCCEEDED) {
        return 0;
      }
      if (result.hasExitCode() && result.getExitCode() > 0 && result.getExitCode() <= 255) {
        return result.getExitCode();
      }
      return 1;
    }
  }

  private TaskWatch() {}

  /**
   * Streams the events of task {@code taskId} into {@code sink} and returns once the task ended.
   *
   * @throws CommandFailedException when the stream ends before the task does
   */
  static Outcome follow(ControllerConnection connection, String taskId, Consumer<TaskEvent> sink) {
    Iterator<WatchTaskResponse> stream =
        connection.stream()
            .watchTask(WatchTaskRequest.newBuilder().setId(taskId).setAfterSequence(0).build());
    TaskState state = TaskState.TASK_STATE_UNSPECIFIED;
    TaskResult result = TaskResult.getDefaultInstance();
    while (stream.hasNext()) {
      TaskEvent event = stream.next().getEvent();
      sink.accept(event);
      if (event.hasStateChange()) {
        state = event.getStateChange().getState();
        result = event.getResult();
      }
    }
    if (TaskStates.isTerminal(state)) {
      return new Outcome(state, result);
    }
    // The stream is meant to end only after the terminal state; ask, rather than guess.
    Task task =
        connection.call().getTask(GetTaskRequest.newBuilder().setId(taskId).build()).getTask();
    if (!TaskStates.isTerminal(task.getState())) {
      throw new CommandFailedException(
          "the controller ended the watch of "
              + taskId
              + " while it is "
              + TaskStates.label(task.getState())
              + "; run 'gpupool logs -f "
              + taskId
              + "' to keep following it");
    }
    return new Outcome(task.getState(), task.getResult());
  }
}
