package io.gpupool.controller.loop;

import static io.gpupool.proto.v1.TaskState.TASK_STATE_FAILED;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_PENDING;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_SCHEDULED;
import static io.gpupool.proto.v1.TaskState.TASK_STATE_SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.core.Policies;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.error.ErrorKind;
import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.state.Timestamps;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.testing.MutableClock;
import io.gpupool.controller.testing.RecordingLink;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.DeviceDiagnostic;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.DiagnosticReport;
import io.gpupool.proto.v1.DiagnosticWorkload;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.KernelResult;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.PreemptTaskCommand;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskStarted;
import io.gpupool.proto.v1.TaskUpdate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU health through the loop: telemetry history, quarantine on an unhealthy sample, the work on
 * the GPU preempted and requeued elsewhere, and the two ways a quarantine ends. Stepped by hand
 * against a real H2 store and a manual clock.
 */
@Timeout(60)
class GpuQuarantineTest {
  private static final String XID = "XID 79 (GPU has fallen off the bus)";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private final NodeDirectory directory = new NodeDirectory();
  private JdbcStore store;
  private SchedulerLoop loop;
  private long nextUpdateId = 1;

  @BeforeEach
  void start() {
    store = JdbcStore.openH2(dir);
    loop = newLoop();
  }

  private SchedulerLoop newLoop() {
    return new SchedulerLoop(
        clock,
        store,
        Policies.create("first-fit"),
        new TaskEventBus(),
        directory,
        LoopSettings.DEFAULTS);
  }

  @AfterEach
  void stop() {
    loop.close();
    store.close();
  }

  @Test
  void anUnhealthySampleQuarantinesTheGpuAndItsTaskIsRequeuedElsewhereNotFailed() {
    RecordingLink a = connect("n-1", 1);
    RecordingLink b = connect("n-2", 1);
    submit(TestSpecs.gpuTask().setPreemptible(false).build());
    assertThat(task("t-1").getPlacement().getNodeId()).isEqualTo("n-1");
    update("n-1", a, started("t-1"));

    heartbeat("n-1", a, unhealthy(0, XID));

    String reason = "GPU_UNHEALTHY: GPU 0 (GPU-n-1-0) on host-n-1: " + XID;
    assertThat(preemptNotices(a)).extracting(PreemptTaskCommand::getReason).containsExactly(reason);
    Gpu gpu = node("n-1").getGpus(0);
    assertThat(gpu.getQuarantine().getReason()).isEqualTo(XID);
    assertThat(Timestamps.toInstant(gpu.getQuarantine().getSince())).isEqualTo(clock.instant());

    update("n-1", a, preempted("t-1"));

    Task requeued = task("t-1");
    assertThat(requeued.getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(requeued.getPlacement().getNodeId()).isEqualTo("n-2");
    assertThat(requeued.getAttempt()).isEqualTo(2);
    assertThat(requeued.getTransitionsList())
        .extracting(StateTransition::getReason)
        .contains(reason + "; waiting to run again");
    assertThat(b.startedTaskIds()).containsExactly("t-1");
    assertThat(node("n-1").getSuccessRate()).as("not counted as a failure").isEqualTo(1.0);
  }

  @Test
  void aGangWithAMemberOnTheBrokenGpuIsPreemptedAndRequeuedAsAWhole() {
    RecordingLink a = connect("n-1", 2);
    RecordingLink b = connect("n-2", 2);
    connect("n-3", 2);
    submitAll(TestSpecs.gpuTask().setGangSize(2).setResources(gpus(2)).build());
    assertThat(task("t-1").getPlacement().getNodeId()).isEqualTo("n-1");
    assertThat(task("t-2").getPlacement().getNodeId()).isEqualTo("n-2");
    update("n-1", a, started("t-1"));
    update("n-2", b, started("t-2"));

    heartbeat("n-2", b, unhealthy(1, XID));

    assertThat(preemptNotices(a)).extracting(PreemptTaskCommand::getTaskId).containsExactly("t-1");
    assertThat(preemptNotices(b)).extracting(PreemptTaskCommand::getTaskId).containsExactly("t-2");
    update("n-1", a, preempted("t-1"));
    assertThat(task("t-1").getState()).as("waits for its sibling").isEqualTo(TASK_STATE_PENDING);
    update("n-2", b, preempted("t-2"));

    Task rank0 = task("t-1");
    Task rank1 = task("t-2");
    assertThat(List.of(rank0, rank1))
        .allSatisfy(
            t -> {
              assertThat(t.getState()).isEqualTo(TASK_STATE_SCHEDULED);
              assertThat(t.getAttempt()).isEqualTo(2);
            });
    assertThat(List.of(rank0.getPlacement().getNodeId(), rank1.getPlacement().getNodeId()))
        .as("the node with the broken GPU has only one healthy GPU left")
        .containsExactlyInAnyOrder("n-1", "n-3");
  }

  @Test
  void everyTaskSharingTheBrokenGpuGetsTheNoticeEvenIfNotPreemptible() {
    RecordingLink a = connect("n-1", 1);
    TaskSpec share =
        TestSpecs.gpuTask()
            .setPreemptible(false)
            .setResources(gpus(0).setGpuMemoryBytes(10L << 30))
            .build();
    submit(share);
    submit(share);
    assertThat(node("n-1").getGpus(0).getSharedTaskIdsList()).containsExactly("t-1", "t-2");

    heartbeat("n-1", a, unhealthy(0, XID));

    assertThat(preemptNotices(a))
        .extracting(PreemptTaskCommand::getTaskId)
        .containsExactlyInAnyOrder("t-1", "t-2");
    assertThat(task("t-1").getPreemptionRequested()).isTrue();
  }

  @Test
  void aDiagnosticAimedAtTheQuarantinedGpuRunsThereAndItsPassEndsTheQuarantine() {
    RecordingLink a = connect("n-1", 1);
    heartbeat("n-1", a, unhealthy(0, XID));
    submit(TestSpecs.gpuTask(1));
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_PENDING);

    submit(diagnostic("host-n-1", 0));

    assertThat(task("t-2").getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_PENDING);
    update("n-1", a, started("t-2"));
    update("n-1", a, diagnosed("t-2", 0, true));

    assertThat(task("t-2").getState()).isEqualTo(TASK_STATE_SUCCEEDED);
    assertThat(task("t-2").getResult().getDiagnostic().getDevices(0).getMemoryBandwidthGbps())
        .isEqualTo(3000.0);
    assertThat(node("n-1").getGpus(0).hasQuarantine()).isFalse();
    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_SCHEDULED);
  }

  @Test
  void aFailedDiagnosticKeepsTheQuarantine() {
    RecordingLink a = connect("n-1", 1);
    heartbeat("n-1", a, unhealthy(0, XID));
    submit(diagnostic("n-1", 0));
    update("n-1", a, started("t-1"));

    update("n-1", a, diagnosed("t-1", 0, false));

    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_FAILED);
    assertThat(node("n-1").getGpus(0).getQuarantine().getReason()).isEqualTo(XID);
  }

  @Test
  void anAdminClearEndsTheQuarantineAndTheNextUnhealthySampleStartsANewOne() {
    RecordingLink a = connect("n-1", 2);
    heartbeat("n-1", a, unhealthy(1, XID));

    assertThatThrownBy(() -> clear("nope", 1)).satisfies(e -> assertKind(e, ErrorKind.NOT_FOUND));
    assertThatThrownBy(() -> clear("n-1", 7))
        .satisfies(e -> assertKind(e, ErrorKind.NOT_FOUND))
        .hasMessageContaining("node host-n-1 has no GPU with index 7");
    assertThatThrownBy(() -> clear("host-n-1", 0))
        .satisfies(e -> assertKind(e, ErrorKind.FAILED_PRECONDITION))
        .hasMessageContaining("GPU 0 on host-n-1 is not quarantined");

    Node cleared = clear("host-n-1", 1);

    assertThat(cleared.getGpus(1).hasQuarantine()).isFalse();
    assertThat(node("n-1").getGpus(1).hasQuarantine()).isFalse();
    submit(TestSpecs.gpuTask(2));
    assertThat(task("t-1").getState())
        .as("the cleared GPU takes work")
        .isEqualTo(TASK_STATE_SCHEDULED);

    clock.advance(Duration.ofSeconds(5));
    heartbeat("n-1", a, unhealthy(1, "XID 48 (double-bit ECC error)"));

    Gpu again = node("n-1").getGpus(1);
    assertThat(again.getQuarantine().getReason()).isEqualTo("XID 48 (double-bit ECC error)");
    assertThat(Timestamps.toInstant(again.getQuarantine().getSince())).isEqualTo(clock.instant());
    assertThat(preemptNotices(a)).extracting(PreemptTaskCommand::getTaskId).containsExactly("t-1");
  }

  @Test
  void aQuarantineAndTheDriverVersionsSurviveAControllerRestart() {
    RecordingLink a = connect("n-1", 1);
    heartbeat("n-1", a, unhealthy(0, XID));
    loop.close();

    loop = newLoop();
    RecordingLink again = hello("n-1");
    heartbeat("n-1", again, healthy(0));
    submit(TestSpecs.gpuTask(1));

    assertThat(task("t-1").getState()).isEqualTo(TASK_STATE_PENDING);
    Node node = node("n-1");
    assertThat(node.getGpus(0).getQuarantine().getReason()).isEqualTo(XID);
    assertThat(node.getDriverVersion()).isEqualTo("550.54.15");
    assertThat(node.getCudaDriverVersion()).isEqualTo("12.4");
  }

  @Test
  void theHistoryKeepsRecentSamplesOnlyAndListsThemOnlyWhenAsked() {
    RecordingLink a = connect("n-1", 1);
    for (int i = 0; i < NodeEntry.HISTORY_SAMPLES + 5; i++) {
      heartbeat("n-1", a, withUtilization(i));
    }

    List<io.gpupool.proto.v1.DeviceSample> history =
        directory.list(true).get(0).getGpus(0).getHistoryList();
    assertThat(history).hasSize(NodeEntry.HISTORY_SAMPLES);
    assertThat(history.get(0).getStatus().getUtilizationPercent()).isEqualTo(5);
    assertThat(directory.list(false).get(0).getGpus(0).getHistoryCount()).isZero();
    assertThat(directory.list(false).get(0).getGpus(0).getStatus().getUtilizationPercent())
        .isEqualTo(NodeEntry.HISTORY_SAMPLES + 4);

    clock.advance(NodeEntry.HISTORY_WINDOW.plusSeconds(1));
    heartbeat("n-1", a, withUtilization(1));

    assertThat(directory.list(true).get(0).getGpus(0).getHistoryList())
        .as("samples older than the window are dropped")
        .hasSize(1);
  }

  @Test
  void aFailedKernelShowsItsReasonCodeAndKeepsItsResult() {
    RecordingLink a = connect("n-1", 1);
    submit(TestSpecs.gpuTask(1));
    update("n-1", a, started("t-1"));

    update(
        "n-1",
        a,
        ended(
            "t-1",
            TaskEnded.newBuilder()
                .setResult(
                    TaskResult.newBuilder()
                        .setReasonCode("CUDA_ERROR_INVALID_PTX")
                        .setMessage("loading the PTX module failed")
                        .setKernel(KernelResult.newBuilder().setDeviceUuid("GPU-n-1-0")))
                .build()));

    Task failed = task("t-1");
    assertThat(failed.getState()).isEqualTo(TASK_STATE_FAILED);
    assertThat(failed.getReason())
        .isEqualTo("CUDA_ERROR_INVALID_PTX: loading the PTX module failed");
    assertThat(failed.getResult().getReasonCode()).isEqualTo("CUDA_ERROR_INVALID_PTX");
    assertThat(failed.getResult().getKernel().getDeviceUuid()).isEqualTo("GPU-n-1-0");
  }

  @Test
  void aTaskTheAgentStopsForABrokenGpuIsRequeuedNotFailed() {
    RecordingLink a = connect("n-1", 1);
    submit(TestSpecs.gpuTask(1));
    update("n-1", a, started("t-1"));

    update(
        "n-1",
        a,
        ended(
            "t-1",
            TaskEnded.newBuilder()
                .setResult(
                    TaskResult.newBuilder()
                        .setExitCode(137)
                        .setReasonCode("GPU_UNHEALTHY")
                        .setMessage("GPU 0: " + XID))
                .build()));

    Task task = task("t-1");
    assertThat(task.getState()).isEqualTo(TASK_STATE_SCHEDULED);
    assertThat(task.getAttempt()).isEqualTo(2);
    assertThat(task.getTransitionsList())
        .extracting(StateTransition::getReason)
        .contains("GPU_UNHEALTHY: GPU 0: " + XID + "; waiting to run again");
  }

  // ---- helpers ----

  private static void assertKind(Throwable e, ErrorKind kind) {
    assertThat(e).isInstanceOf(CompletionException.class);
    assertThat(((ControllerException) e.getCause()).kind()).isEqualTo(kind);
  }

  private static Resources.Builder gpus(int n) {
    return Resources.newBuilder().setGpus(n);
  }

  private static TaskSpec diagnostic(String node, int index) {
    return TaskSpec.newBuilder()
        .setName("diag")
        .setDiagnostic(DiagnosticWorkload.getDefaultInstance())
        .setResources(gpus(1).setNode(node).addDeviceIndices(index))
        .build();
  }

  private Node node(String id) {
    return directory.list().stream().filter(n -> n.getId().equals(id)).findFirst().orElseThrow();
  }

  private Node clear(String node, int index) {
    CompletableFuture<Node> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.ClearQuarantine(node, index, reply));
    loop.runOnce();
    return reply.join();
  }

  private static List<PreemptTaskCommand> preemptNotices(RecordingLink link) {
    synchronized (link) {
      return link.sent.stream()
          .filter(m -> m.hasPreemptTask())
          .map(m -> m.getPreemptTask())
          .toList();
    }
  }

  private void heartbeat(String nodeId, RecordingLink link, Heartbeat heartbeat) {
    loop.offer(new LoopEvent.HeartbeatReceived(nodeId, link, heartbeat));
    loop.runOnce();
  }

  private Heartbeat unhealthy(int index, String reason) {
    Heartbeat.Builder heartbeat = Heartbeat.newBuilder().setTime(Timestamps.of(clock.instant()));
    for (int i = 0; i <= index; i++) {
      heartbeat.addDevices(
          i == index
              ? DeviceStatus.newBuilder().setIndex(i).setHealthy(false).setHealthReason(reason)
              : DeviceStatus.newBuilder().setIndex(i).setHealthy(true));
    }
    return heartbeat.build();
  }

  private Heartbeat healthy(int index) {
    return Heartbeat.newBuilder()
        .addDevices(DeviceStatus.newBuilder().setIndex(index).setHealthy(true))
        .build();
  }

  private Heartbeat withUtilization(double percent) {
    return Heartbeat.newBuilder()
        .setTime(Timestamps.of(clock.instant()))
        .addDevices(
            DeviceStatus.newBuilder().setIndex(0).setHealthy(true).setUtilizationPercent(percent))
        .build();
  }

  private Task submit(TaskSpec spec) {
    return submitAll(spec).get(0);
  }

  private List<Task> submitAll(TaskSpec spec) {
    CompletableFuture<List<Task>> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Submit(spec, "", reply));
    loop.runOnce();
    return reply.join();
  }

  private Task task(String id) {
    return store.findTask(id).orElseThrow();
  }

  private RecordingLink connect(String nodeId, int gpus) {
    RegisterRequest.Builder request =
        RegisterRequest.newBuilder()
            .setNodeId(nodeId)
            .setNodeName("host-" + nodeId)
            .setDriverVersion("550.54.15")
            .setCudaDriverVersion("12.4");
    for (int i = 0; i < gpus; i++) {
      request.addDevices(
          DeviceInfo.newBuilder()
              .setIndex(i)
              .setUuid("GPU-" + nodeId + "-" + i)
              .setModel("NVIDIA H100 80GB")
              .setMemoryTotalBytes(80L << 30));
    }
    CompletableFuture<Void> registered = new CompletableFuture<>();
    loop.offer(
        new LoopEvent.Register(request.build(), Credentials.hash("secret-" + nodeId), registered));
    loop.runOnce();
    registered.join();
    return hello(nodeId);
  }

  private RecordingLink hello(String nodeId) {
    RecordingLink link = new RecordingLink();
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    loop.offer(
        new LoopEvent.Hello(
            AgentHello.newBuilder()
                .setNodeId(nodeId)
                .setNodeCredential("secret-" + nodeId)
                .setInstanceId("instance-1")
                .build(),
            link,
            accepted));
    loop.runOnce();
    accepted.join();
    return link;
  }

  private void update(String nodeId, RecordingLink link, TaskUpdate update) {
    loop.offer(new LoopEvent.UpdateReceived(nodeId, link, update));
    loop.runOnce();
  }

  private TaskUpdate started(String taskId) {
    return TaskUpdate.newBuilder()
        .setUpdateId(nextUpdateId++)
        .setTaskId(taskId)
        .setStarted(TaskStarted.getDefaultInstance())
        .build();
  }

  private TaskUpdate ended(String taskId, TaskEnded ended) {
    return TaskUpdate.newBuilder()
        .setUpdateId(nextUpdateId++)
        .setTaskId(taskId)
        .setEnded(ended)
        .build();
  }

  private TaskUpdate preempted(String taskId) {
    return ended(
        taskId,
        TaskEnded.newBuilder()
            .setPreempted(true)
            .setResult(TaskResult.newBuilder().setExitCode(143).setMessage("preempted"))
            .build());
  }

  private TaskUpdate diagnosed(String taskId, int index, boolean passed) {
    return ended(
        taskId,
        TaskEnded.newBuilder()
            .setResult(
                TaskResult.newBuilder()
                    .setExitCode(passed ? 0 : 1)
                    .setMessage(passed ? "" : "FMA results wrong")
                    .setDiagnostic(
                        DiagnosticReport.newBuilder()
                            .addDevices(
                                DeviceDiagnostic.newBuilder()
                                    .setDeviceIndex(index)
                                    .setMemoryBandwidthGbps(3000.0)
                                    .setPassed(passed))))
            .build());
  }
}
