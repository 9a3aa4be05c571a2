package io.gpupool.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.GpuProcess;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskUpdate;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Agent messages: heartbeats past the limits are refused, task updates are cut to size. */
@Timeout(10)
class AgentValidatorTest {
  @Test
  void aHeartbeatTimeOutsideTheRangeOfInstantsIsRefusedNamingTheField() {
    Heartbeat farFuture =
        Heartbeat.newBuilder()
            .setTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))
            .build();

    assertThatThrownBy(() -> AgentValidator.heartbeat(farFuture))
        .hasMessageContaining("heartbeat.time: must be a valid timestamp");
  }

  @Test
  void aHeartbeatWithTooManyProcessesOrWordsIsRefusedNamingTheDevice() {
    DeviceStatus crowded =
        DeviceStatus.newBuilder()
            .setIndex(0)
            .addAllProcesses(Collections.nCopies(1025, GpuProcess.getDefaultInstance()))
            .setHealthReason("x".repeat(1025))
            .build();

    assertThatThrownBy(
            () -> AgentValidator.heartbeat(Heartbeat.newBuilder().addDevices(crowded).build()))
        .hasMessage(
            "heartbeat.devices[0].processes: at most 1024, has 1025; "
                + "heartbeat.devices[0].health_reason: at most 1024 characters, has 1025");
  }

  @Test
  void aTaskUpdateIsNeverRefusedButItsTextIsCutAndMarked() {
    TaskUpdate ended =
        TaskUpdate.newBuilder()
            .setTaskId("t-1")
            .setEnded(
                TaskEnded.newBuilder()
                    .setResult(TaskResult.newBuilder().setExitCode(1).setMessage("m".repeat(5000))))
            .build();
    Progress.Builder progress = Progress.newBuilder().setMessage("ok");
    for (int i = 0; i < 100; i++) {
      progress.putMetrics(String.format("m%03d", i), i);
    }

    TaskResult cut = AgentValidator.trim(ended).getEnded().getResult();
    Progress fewer =
        AgentValidator.trim(TaskUpdate.newBuilder().setProgress(progress).build()).getProgress();

    assertThat(cut.getMessage())
        .startsWith("m".repeat(4096))
        .endsWith("m [gpupool: 904 characters cut: limit of 4096]");
    assertThat(cut.getExitCode()).isEqualTo(1);
    assertThat(fewer.getMetricsMap()).hasSize(64).containsKey("m000").doesNotContainKey("m064");
    TaskUpdate small = TaskUpdate.newBuilder().setProgress(Progress.newBuilder()).build();
    assertThat(AgentValidator.trim(small)).isSameAs(small);
  }
}
