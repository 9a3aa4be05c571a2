package io.gpupool.controller.loop;

import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.state.TaskEntry;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskState;

/** Ending tasks: recording a terminal state and freeing GPUs, or asking a placed task to stop. */
final class TaskEndings {
  /** Suffix of the reason a task shows while its workload is being stopped. */
  static final String STOPPING = "; stopping the workload";

  /** Prefix of the reason a task shows while it has been told to stop for other work. */
  static final String PREEMPTING = "preempting: ";

  private final LoopContext ctx;

  TaskEndings(LoopContext ctx) {
    this.ctx = ctx;
  }

  /** Records a task's terminal event and frees what it held. */
  void finish(TaskEntry task, TaskEvent event, Pass pass) {
    pass.changed(task, event);
    NodeEntry node = ctx.state.node(task.nodeId());
    ctx.state.finish(task);
    pass.finished(task);
    if (node != null) {
      pass.nodeViewed(node);
    }
  }

  /**
   * Cancels an unfinished task: a pending one ends now, a placed one is asked to stop and ends when
   * its agent reports back.
   */
  void stop(TaskEntry task, String reason, Pass pass) {
    if (task.state() == TaskState.TASK_STATE_PENDING) {
      finish(
          task,
          task.transition(
              TaskState.TASK_STATE_CANCELLED, reason + " before it started", pass.now, null),
          pass);
    } else if (!task.task().getCancelRequested()) {
      task.requestCancel(reason + STOPPING);
      pass.changed(task, null);
      NodeEntry node = ctx.state.node(task.nodeId());
      if (node != null && node.isConnected()) {
        pass.send(node.session(), AgentCommands.cancel(task));
      }
    }
  }

  /** {@code text} without {@code suffix} at its end, if it has it. */
  static String stripSuffix(String text, String suffix) {
    return text.endsWith(suffix) ? text.substring(0, text.length() - suffix.length()) : text;
  }

  /** {@code text} without {@code prefix} at its start, if it has it. */
  static String stripPrefix(String text, String prefix) {
    return text.startsWith(prefix) ? text.substring(prefix.length()) : text;
  }
}
