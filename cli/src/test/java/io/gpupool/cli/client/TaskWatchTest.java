package io.gpupool.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TaskWatchTest {
  private static int exitCode(TaskState state, TaskResult result) {
    return new TaskWatch.Outcome(state, result).exitCode();
  }

  private static TaskResult exited(int code) {
    return TaskResult.newBuilder().setExitCode(code).build();
  }

  @Test
  void succeededIsZero() {
    assertThat(exitCode(TaskState.TASK_STATE_SUCCEEDED, exited(0))).isZero();
    assertThat(exitCode(TaskState.TASK_STATE_SUCCEEDED, TaskResult.getDefaultInstance())).isZero();
  }

  @Test
  void failedOrCancelledMirrorTheWorkloadsExitCode() {
    assertThat(exitCode(TaskState.TASK_STATE_FAILED, exited(3))).isEqualTo(3);
    assertThat(exitCode(TaskState.TASK_STATE_CANCELLED, exited(143))).isEqualTo(143);
  }

  @Test
  void anEndWithoutAUsableExitCodeIsOne() {
    assertThat(exitCode(TaskState.TASK_STATE_FAILED, TaskResult.getDefaultInstance())).isEqualTo(1);
    // A failure must never look like success to a script.
    assertThat(exitCode(TaskState.TASK_STATE_FAILED, exited(0))).isEqualTo(1);
    // Beyond what a process can return: the shell would see it modulo 256.
    assertThat(exitCode(TaskState.TASK_STATE_FAILED, exited(256))).isEqualTo(1);
    assertThat(exitCode(TaskState.TASK_STATE_FAILED, exited(-1))).isEqualTo(1);
  }
}
