package io.gpupool.controller.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gpupool.controller.core.Policies;
import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.state.Timestamps;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.testing.MutableClock;
import io.gpupool.controller.testing.RecordingLink;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskStarted;
import io.gpupool.proto.v1.TaskUpdate;
import io.gpupool.proto.v1.TaskUsage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage accounting in the loop: heartbeats at known utilization and power, a manual clock, a real
 * H2 store; GPU-seconds, idle GPU-seconds and joules land on the task and survive a restart.
 */
@Timeout(60)
class UsageAccountingTest {
  private static final double EPS = 1e-9;

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private JdbcStore store;
  private SchedulerLoop loop;
  private long nextUpdateId = 1;

  @BeforeEach
  void start() {
    store = JdbcStore.openH2(dir);
    loop = newLoop(LoopSettings.DEFAULTS);
  }

  @AfterEach
  void stop() {
    loop.close();
    store.close();
  }

  @Test
  void heartbeatsAddAllocatedIdleAndEnergyByWallClockWithGapsCapped() {
    RecordingLink link = connect(1);
    submit(TestSpecs.gpuTask().build(), "tok-alice");
    update(link, started("t-1"));

    heartbeat(link, sample(0, 50, 200)); // starts the task's clock
    clock.advance(Duration.ofSeconds(2));
    heartbeat(link, sample(0, 50, 200)); // 2 s busy, 400 J
    clock.advance(Duration.ofSeconds(2));
    heartbeat(link, sample(0, 1, 100)); // 2 s idle, 200 J
    clock.advance(Duration.ofSeconds(40));
    heartbeat(link, sample(0, 1, 100)); // a 40 s gap counts as the 10 s heartbeat timeout
    update(link, succeeded("t-1"));

    Task task = store.findTask("t-1").orElseThrow();
    assertUsage(task.getUsage(), 14, 12, 1600);
    assertThat(task.getUsage().getGpuModel()).isEqualTo("NVIDIA H100 80GB");
    assertThat(task.getSubmittedBy()).isEqualTo("tok-alice");
  }

  @Test
  void aSharedGpuSplitsTimeAndEnergyBetweenItsTasks() {
    RecordingLink link = connect(1);
    TaskSpec share =
        TestSpecs.gpuTask()
            .setResources(Resources.newBuilder().setGpuMemoryBytes(1L << 30))
            .build();
    submit(share, "");
    submit(share, "");
    update(link, started("t-1"));
    update(link, started("t-2"));

    heartbeat(link, sample(0, 80, 300));
    clock.advance(Duration.ofSeconds(4));
    heartbeat(link, sample(0, 80, 300));
    update(link, succeeded("t-1"));
    update(link, succeeded("t-2"));

    assertUsage(store.findTask("t-1").orElseThrow().getUsage(), 2, 0, 600);
    assertUsage(store.findTask("t-2").orElseThrow().getUsage(), 2, 0, 600);
  }

  @Test
  void runningUsageIsStoredAboutOnceAMinuteNotOnEveryHeartbeat() {
    RecordingLink link = connect(1);
    submit(TestSpecs.gpuTask().build(), "");
    update(link, started("t-1"));

    heartbeat(link, sample(0, 0, 100));
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(5));
      heartbeat(link, sample(0, 0, 100));
    }
    assertThat(store.findTask("t-1").orElseThrow().getUsage().getGpuSeconds())
        .as("not written on every heartbeat")
        .isZero();

    for (int i = 0; i < 7; i++) {
      clock.advance(Duration.ofSeconds(5));
      heartbeat(link, sample(0, 0, 100));
    }

    assertUsage(store.findTask("t-1").orElseThrow().getUsage(), 60, 60, 6000);
  }

  @Test
  void storedUsageSurvivesARestartAndKeepsAccumulating() {
    RecordingLink link = connect(1);
    submit(TestSpecs.gpuTask().build(), "");
    update(link, started("t-1"));
    heartbeat(link, sample(0, 90, 100));
    for (int i = 0; i < 6; i++) {
      clock.advance(Duration.ofSeconds(10));
      heartbeat(link, sample(0, 90, 100));
    }
    loop.close();

    loop = newLoop(LoopSettings.DEFAULTS);
    link = hello();
    heartbeat(link, sample(0, 90, 100));
    clock.advance(Duration.ofSeconds(10));
    heartbeat(link, sample(0, 90, 100));
    update(link, succeeded("t-1"));

    assertUsage(store.findTask("t-1").orElseThrow().getUsage(), 70, 0, 7000);
  }

  @Test
  void theIdleThresholdIsConfigurable() {
    loop.close();
    loop =
        newLoop(
            new LoopSettings(
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 3, 60));
    RecordingLink link = connect(1);
    submit(TestSpecs.gpuTask().build(), "");
    update(link, started("t-1"));

    heartbeat(link, sample(0, 50, 0));
    clock.advance(Duration.ofSeconds(3));
    heartbeat(link, sample(0, 50, 0));
    update(link, succeeded("t-1"));

    assertUsage(store.findTask("t-1").orElseThrow().getUsage(), 3, 3, 0);
  }

  private static void assertUsage(TaskUsage usage, double gpu, double idle, double joules) {
    assertThat(usage.getGpuSeconds()).as("gpu_seconds").isCloseTo(gpu, within(EPS));
    assertThat(usage.getIdleGpuSeconds()).as("idle_gpu_seconds").isCloseTo(idle, within(EPS));
    assertThat(usage.getEnergyJoules()).as("energy_joules").isCloseTo(joules, within(EPS));
  }

  private SchedulerLoop newLoop(LoopSettings settings) {
    return new SchedulerLoop(
        clock,
        store,
        Policies.create("first-fit"),
        new TaskEventBus(),
        new NodeDirectory(),
        settings);
  }

  private Heartbeat sample(int index, double utilization, double watts) {
    return Heartbeat.newBuilder()
        .setTime(Timestamps.of(clock.instant()))
        .addDevices(
            DeviceStatus.newBuilder()
                .setIndex(index)
                .setHealthy(true)
                .setUtilizationPercent(utilization)
                .setPowerWatts(watts))
        .build();
  }

  private void heartbeat(RecordingLink link, Heartbeat heartbeat) {
    loop.offer(new LoopEvent.HeartbeatReceived("n-1", link, heartbeat));
    loop.runOnce();
  }

  private void submit(TaskSpec spec, String submittedBy) {
    CompletableFuture<List<Task>> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Submit(spec, "", submittedBy, reply));
    loop.runOnce();
    reply.join();
  }

  private RecordingLink connect(int gpus) {
    RegisterRequest.Builder request =
        RegisterRequest.newBuilder()
            .setNodeId("n-1")
            .setNodeName("host-n-1")
            .setDriverVersion("550.54.15")
            .setCudaDriverVersion("12.4");
    for (int i = 0; i < gpus; i++) {
      request.addDevices(
          DeviceInfo.newBuilder()
              .setIndex(i)
              .setUuid("GPU-n-1-" + i)
              .setModel("NVIDIA H100 80GB")
              .setMemoryTotalBytes(80L << 30));
    }
    CompletableFuture<Void> registered = new CompletableFuture<>();
    loop.offer(new LoopEvent.Register(request.build(), Credentials.hash("secret-n-1"), registered));
    loop.runOnce();
    registered.join();
    return hello();
  }

  private RecordingLink hello() {
    RecordingLink link = new RecordingLink();
    CompletableFuture<Void> accepted = new CompletableFuture<>();
    loop.offer(
        new LoopEvent.Hello(
            AgentHello.newBuilder()
                .setNodeId("n-1")
                .setNodeCredential("secret-n-1")
                .setInstanceId("instance-1")
                .addKnownTaskIds("t-1")
                .build(),
            link,
            accepted));
    loop.runOnce();
    accepted.join();
    return link;
  }

  private void update(RecordingLink link, TaskUpdate update) {
    loop.offer(new LoopEvent.UpdateReceived("n-1", link, update));
    loop.runOnce();
  }

  private TaskUpdate started(String taskId) {
    return TaskUpdate.newBuilder()
        .setUpdateId(nextUpdateId++)
        .setTaskId(taskId)
        .setStarted(TaskStarted.getDefaultInstance())
        .build();
  }

  private TaskUpdate succeeded(String taskId) {
    return TaskUpdate.newBuilder()
        .setUpdateId(nextUpdateId++)
        .setTaskId(taskId)
        .setEnded(TaskEnded.newBuilder().setResult(TaskResult.newBuilder().setExitCode(0)))
        .build();
  }
}
