package io.gpupool.controller.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.controller.core.Policies;
import io.gpupool.controller.limits.Limits;
import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.testing.MutableClock;
import io.gpupool.controller.testing.RecordingLink;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskLogs;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskStarted;
import io.gpupool.proto.v1.TaskUpdate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A workload's output through the loop: what the store keeps of a flood, with markers. */
@Timeout(60)
class TaskOutputLimitsTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private JdbcStore store;
  private SchedulerLoop loop;
  private RecordingLink link;
  private long nextUpdateId = 1;

  @BeforeEach
  void runATask() {
    store = JdbcStore.openH2(dir);
    loop =
        new SchedulerLoop(
            clock,
            store,
            Policies.create("first-fit"),
            new TaskEventBus(),
            new NodeDirectory(),
            LoopSettings.DEFAULTS);
    CompletableFuture<Void> registered = new CompletableFuture<>();
    loop.offer(
        new LoopEvent.Register(
            RegisterRequest.newBuilder()
                .setNodeId("n-1")
                .setNodeName("n-1")
                .addDevices(DeviceInfo.newBuilder().setIndex(0).setUuid("GPU-0"))
                .build(),
            Credentials.hash("secret"),
            registered));
    loop.runOnce();
    link = new RecordingLink();
    loop.offer(
        new LoopEvent.Hello(
            AgentHello.newBuilder()
                .setNodeId("n-1")
                .setNodeCredential("secret")
                .setInstanceId("i-1")
                .build(),
            link,
            new CompletableFuture<>()));
    CompletableFuture<List<Task>> submitted = new CompletableFuture<>();
    loop.offer(new LoopEvent.Submit(TestSpecs.gpuTask(1), "", submitted));
    loop.runOnce();
    assertThat(link.startedTaskIds()).containsExactly("t-1");
    update(TaskUpdate.newBuilder().setStarted(TaskStarted.getDefaultInstance()));
  }

  @AfterEach
  void stop() {
    loop.close();
    store.close();
  }

  @Test
  void aFloodKeepsTheRatePerSecondAndOneMarkerSaysHowManyLinesWereDropped() {
    LogLine spam = LogLine.newBuilder().setText("spam").build();
    update(logs(Collections.nCopies(5000, spam)));
    assertThat(logTexts()).hasSize(Limits.MAX_LOG_LINES_PER_SECOND);

    clock.advance(Duration.ofSeconds(1));
    loop.runOnce(); // a quiet pass: the sweep owes the marker

    assertThat(logTexts())
        .hasSize(Limits.MAX_LOG_LINES_PER_SECOND + 1)
        .last()
        .isEqualTo(
            "[gpupool: 4000 lines dropped: log rate limit of 1000 lines or 1048576 bytes per"
                + " second per task]");
  }

  @Test
  void anOverlongLineIsCutAndMarkedAndTheLastSecondsDropsAreToldBeforeTheEnd() {
    update(logs(List.of(LogLine.newBuilder().setText("x".repeat(20_000)).build())));
    update(logs(Collections.nCopies(1500, LogLine.newBuilder().setText("y").build())));
    update(
        TaskUpdate.newBuilder()
            .setEnded(TaskEnded.newBuilder().setResult(TaskResult.newBuilder().setExitCode(0))));

    List<String> texts = logTexts();
    assertThat(texts.get(0))
        .hasSize(16384 + " [gpupool: 3616 bytes cut: log line limit of 16384 bytes]".length())
        .endsWith(" [gpupool: 3616 bytes cut: log line limit of 16384 bytes]");
    assertThat(texts).last().asString().startsWith("[gpupool: 501 lines dropped: log rate limit");
    List<TaskEvent> events = store.listEvents("t-1", 0, 10_000);
    assertThat(events.get(events.size() - 1).getStateChange().getState().name())
        .isEqualTo("TASK_STATE_SUCCEEDED");
  }

  private List<String> logTexts() {
    return store.listEvents("t-1", 0, 10_000).stream()
        .filter(TaskEvent::hasLog)
        .map(e -> e.getLog().getText())
        .toList();
  }

  private static TaskUpdate.Builder logs(List<LogLine> lines) {
    return TaskUpdate.newBuilder().setLogs(TaskLogs.newBuilder().addAllLines(lines));
  }

  private void update(TaskUpdate.Builder update) {
    loop.offer(
        new LoopEvent.UpdateReceived(
            "n-1", link, update.setUpdateId(nextUpdateId++).setTaskId("t-1").build()));
    loop.runOnce();
  }
}
