package io.gpupool.controller.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.gpupool.controller.core.Policies;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.testing.MutableClock;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.Task;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The loop's gauges count what the last pass left; its meters count what passes did. */
@Timeout(60)
class LoopMetricsTest {
  @TempDir Path dir;
  private final MetricRegistry registry = new MetricRegistry();
  private JdbcStore store;
  private SchedulerLoop loop;

  @BeforeEach
  void start() {
    store = JdbcStore.openH2(dir);
    loop =
        new SchedulerLoop(
            new MutableClock(Instant.parse("2026-11-25T12:00:00Z")),
            store,
            Policies.create("first-fit"),
            new TaskEventBus(),
            new NodeDirectory(),
            LoopSettings.DEFAULTS,
            new LoopMetrics(registry));
  }

  @AfterEach
  void stop() {
    loop.close();
    store.close();
  }

  @Test
  void queuedTasksAreCountedPerTenantAndPerState() {
    submit("team-a");
    submit("team-a");
    submit("team-b");

    assertThat(gauge("gpupool.queue.length.team-a")).isEqualTo(2);
    assertThat(gauge("gpupool.queue.length.team-b")).isEqualTo(1);
    assertThat(gauge("gpupool.tasks.pending")).isEqualTo(3);
    assertThat(gauge("gpupool.agents.connected")).isEqualTo(0);
    assertThat(registry.meter("gpupool.submits").getCount()).isEqualTo(3);
    assertThat(registry.timer("gpupool.store.commit").getCount()).isEqualTo(3);
  }

  @Test
  void aTenantsGaugeReadsZeroOnceItsTasksLeaveTheQueue() {
    Task task = submit("team-a");
    CompletableFuture<Task> cancelled = new CompletableFuture<>();
    loop.offer(new LoopEvent.Cancel(task.getId(), cancelled));
    loop.runOnce();
    cancelled.join();

    assertThat(gauge("gpupool.queue.length.team-a")).isEqualTo(0);
    assertThat(gauge("gpupool.tasks.pending")).isEqualTo(0);
  }

  private Task submit(String tenant) {
    CompletableFuture<List<Task>> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Submit(TestSpecs.gpuTask().setTenant(tenant).build(), "", reply));
    loop.runOnce();
    return reply.join().get(0);
  }

  private Object gauge(String name) {
    assertThat(registry.getGauges()).containsKey(name);
    return registry.getGauges().get(name).getValue();
  }
}
