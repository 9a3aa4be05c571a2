package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.CordonNodeRequest;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.ListTaskEventsRequest;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.SubmitTaskResponse;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Scheduling features end to end: preemption with notice, gangs, node selectors, cordon. */
@Timeout(120)
class SchedulingIT {
  @TempDir Path dir;

  @Test
  void aHigherPriorityTaskPreemptsACheckpointingTaskWhichResumesAsAttemptTwo() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, "1xH100-80GB")) {
      SchedulerServiceBlockingStub api = cluster.api();
      String victimScript =
          "if [ \"$GPUPOOL_ATTEMPT\" = 2 ]; then echo resumed; exit 0; fi;"
              + " trap 'cat \"$GPUPOOL_NOTICE_FILE\"; echo; echo \"##gpupool checkpointed\"; exec sleep 60' USR1;"
              + " echo started; while true; do sleep 0.2; done";
      Task victim = submit(api, spec("bash", "-c", victimScript).setPreemptible(true)).getTask();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> state(api, victim.getId()) == TaskState.TASK_STATE_RUNNING);

      Task vip = submit(api, spec("true").setPriority(100)).getTask();

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> state(api, victim.getId()) == TaskState.TASK_STATE_SUCCEEDED);
      assertThat(state(api, vip.getId())).isEqualTo(TaskState.TASK_STATE_SUCCEEDED);
      Task done = api.getTask(GetTaskRequest.newBuilder().setId(victim.getId()).build()).getTask();
      assertThat(done.getAttempt()).isEqualTo(2);
      assertThat(done.getTransitionsList())
          .anySatisfy(
              t ->
                  assertThat(t.getReason())
                      .startsWith("PREEMPTED: preempted by " + vip.getId())
                      .contains("(checkpointed)"));
      assertThat(logs(api, victim.getId()))
          .contains("started", "resumed")
          .anySatisfy(
              line -> assertThat(line).contains("\"reason\": \"preempted by " + vip.getId()));
    }
  }

  @Test
  void aGangStartsTogetherAcrossNodesWithRendezvousEnvironment() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, "2xA100-80GB", "2xA100-80GB")) {
      SchedulerServiceBlockingStub api = cluster.api();
      SubmitTaskResponse gang =
          submit(
              api,
              spec(
                      "bash",
                      "-c",
                      "echo rank=$RANK world=$WORLD_SIZE master=$MASTER_ADDR:$MASTER_PORT")
                  .setGangSize(2)
                  .setResources(Resources.newBuilder().setGpus(2)));

      assertThat(gang.getGangTasksList()).hasSize(2);
      for (Task member : gang.getGangTasksList()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> state(api, member.getId()) == TaskState.TASK_STATE_SUCCEEDED);
      }
      Task rank0 =
          api.getTask(GetTaskRequest.newBuilder().setId(gang.getGangTasks(0).getId()).build())
              .getTask();
      Task rank1 =
          api.getTask(GetTaskRequest.newBuilder().setId(gang.getGangTasks(1).getId()).build())
              .getTask();
      assertThat(rank0.getPlacement().getNodeName())
          .isNotEqualTo(rank1.getPlacement().getNodeName());
      String master = rank0.getPlacement().getNodeName();
      assertThat(logs(api, rank0.getId()))
          .singleElement()
          .asString()
          .startsWith("rank=0 world=2 master=" + master + ":");
      assertThat(logs(api, rank1.getId()))
          .singleElement()
          .asString()
          .startsWith("rank=1 world=2 master=" + master + ":");
    }
  }

  @Test
  void nodeSelectorsUseAgentLabelsAndCordonedNodesGetNoNewWork() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir)) {
      cluster.startAgent(cluster.agentConfig("eu-box", "1xH100-80GB").labels(Map.of("zone", "eu")));
      cluster.startAgent(cluster.agentConfig("us-box", "1xH100-80GB").labels(Map.of("zone", "us")));
      SchedulerServiceBlockingStub api = cluster.api();

      Task eu =
          submit(
                  api,
                  spec("true")
                      .setResources(
                          Resources.newBuilder().setGpus(1).putNodeSelector("zone", "eu")))
              .getTask();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> state(api, eu.getId()) == TaskState.TASK_STATE_SUCCEEDED);
      assertThat(
              api.getTask(GetTaskRequest.newBuilder().setId(eu.getId()).build())
                  .getTask()
                  .getPlacement()
                  .getNodeName())
          .isEqualTo("eu-box");

      api.cordonNode(CordonNodeRequest.newBuilder().setNode("eu-box").setCordoned(true).build());
      Task waits =
          submit(
                  api,
                  spec("true")
                      .setResources(
                          Resources.newBuilder().setGpus(1).putNodeSelector("zone", "eu")))
              .getTask();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          api.getTask(GetTaskRequest.newBuilder().setId(waits.getId()).build())
                              .getTask()
                              .getReason())
                      .isEqualTo(
                          "waiting for 1 GPU on nodes with zone=eu: no node is ready (connected"
                              + " and not cordoned)"));
      assertThat(state(api, waits.getId())).isEqualTo(TaskState.TASK_STATE_PENDING);

      api.cordonNode(CordonNodeRequest.newBuilder().setNode("eu-box").setCordoned(false).build());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> state(api, waits.getId()) == TaskState.TASK_STATE_SUCCEEDED);
    }
  }

  private static TaskSpec.Builder spec(String... argv) {
    return TaskSpec.newBuilder()
        .setName("it")
        .setCommand(CommandWorkload.newBuilder().addAllArgv(List.of(argv)))
        .setResources(Resources.newBuilder().setGpus(1));
  }

  private static SubmitTaskResponse submit(
      SchedulerServiceBlockingStub api, TaskSpec.Builder spec) {
    return api.submitTask(SubmitTaskRequest.newBuilder().setSpec(spec).build());
  }

  private static TaskState state(SchedulerServiceBlockingStub api, String id) {
    return api.getTask(GetTaskRequest.newBuilder().setId(id).build()).getTask().getState();
  }

  private static List<String> logs(SchedulerServiceBlockingStub api, String id) {
    return api
        .listTaskEvents(ListTaskEventsRequest.newBuilder().setId(id).build())
        .getEventsList()
        .stream()
        .filter(TaskEvent::hasLog)
        .map(e -> e.getLog().getText())
        .filter(line -> !line.isBlank())
        .collect(Collectors.toList());
  }
}
