package io.gpupool.agent.workload;

import io.gpupool.proto.v1.TaskUpdate;

/**
 * Receives the updates of the tasks a runner runs.
 *
 * <p>The runner calls it from several threads, but the updates of one task arrive one at a time and
 * in order: started (unless the process never started, or an earlier agent process reported it
 * before a {@link TaskRunner#reattach() take-over}), output and progress in the order the workload
 * wrote them, then exactly one ended. Implementations must be thread-safe and should return
 * quickly; an update is taken as delivered for good once {@code accept} returns (a command task's
 * end is then marked reported in its task dir, and no later agent reports it again).
 */
@FunctionalInterface
public interface TaskUpdateSink {

  /**
   * Accepts the next update of a task.
   *
   * @param update the update with task_id and its kind set; update_id is left 0 for the receiver to
   *     assign
   */
  void accept(TaskUpdate update);
}
