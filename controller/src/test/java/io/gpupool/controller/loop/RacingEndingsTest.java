package io.gpupool.controller.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.controller.core.Policies;
import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.state.TaskLifecycle;
import io.gpupool.controller.store.JdbcStore;
import io.gpupool.controller.testing.MutableClock;
import io.gpupool.controller.testing.RecordingLink;
import io.gpupool.controller.testing.TestSpecs;
import io.gpupool.controller.watch.TaskEventBus;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskStarted;
import io.gpupool.proto.v1.TaskUpdate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Cancel, preemption and completion racing each other, in any order and in any grouping into
 * passes, end a task in exactly one terminal state (jqwik; bounded by its tries).
 */
class RacingEndingsTest {
  enum Step {
    CANCEL,
    VIP_SUBMIT,
    ENDED_OK,
    ENDED_CANCELLED,
    ENDED_PREEMPTED,
    STARTED,
    PASS
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    return Arbitraries.of(Step.class).list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = 60)
  void exactlyOneTerminalStateWhateverTheOrder(@ForAll("steps") List<Step> steps) {
    String url =
        "jdbc:h2:mem:race-"
            + System.identityHashCode(steps)
            + "-"
            + steps.hashCode()
            + ";DB_CLOSE_DELAY=-1";
    try (JdbcStore store = JdbcStore.open(url, "sa", "")) {
      SchedulerLoop loop =
          new SchedulerLoop(
              new MutableClock(Instant.parse("2026-11-25T12:00:00Z")),
              store,
              Policies.create("default"),
              new TaskEventBus(),
              new NodeDirectory(),
              LoopSettings.DEFAULTS);
      RecordingLink link = connect(loop);
      AtomicLong updates = new AtomicLong();
      submit(loop, TestSpecs.gpuTask().setPreemptible(true).build());
      loop.offer(update(link, updates, "t-1", u -> u.setStarted(TaskStarted.getDefaultInstance())));
      loop.runOnce();

      for (Step step : steps) {
        switch (step) {
          case CANCEL -> loop.offer(new LoopEvent.Cancel("t-1", new CompletableFuture<>()));
          case VIP_SUBMIT ->
              loop.offer(
                  new LoopEvent.Submit(
                      TestSpecs.gpuTask().setName("vip").setPriority(10).build(),
                      "",
                      new CompletableFuture<>()));
          case ENDED_OK -> loop.offer(ended(link, updates, 0, false, false));
          case ENDED_CANCELLED -> loop.offer(ended(link, updates, 143, true, false));
          case ENDED_PREEMPTED -> loop.offer(ended(link, updates, 143, false, true));
          case STARTED ->
              loop.offer(
                  update(
                      link, updates, "t-1", u -> u.setStarted(TaskStarted.getDefaultInstance())));
          case PASS -> loop.runOnce();
        }
      }
      loop.runOnce();
      // Whatever happened, the workload finally ends; a requeued task may have started again.
      loop.offer(update(link, updates, "t-1", u -> u.setStarted(TaskStarted.getDefaultInstance())));
      loop.offer(ended(link, updates, 0, false, false));
      loop.runOnce();
      loop.close();

      Task task = store.findTask("t-1").orElseThrow();
      List<StateTransition> terminal =
          task.getTransitionsList().stream()
              .filter(t -> TaskLifecycle.isTerminal(t.getState()))
              .toList();
      assertThat(terminal)
          .as("terminal transitions of %s after %s", task.getTransitionsList(), steps)
          .hasSizeLessThanOrEqualTo(1);
      if (!terminal.isEmpty()) {
        assertThat(task.getTransitions(task.getTransitionsCount() - 1)).isEqualTo(terminal.get(0));
        assertThat(task.getState()).isEqualTo(terminal.get(0).getState());
      }
    }
  }

  private static RecordingLink connect(SchedulerLoop loop) {
    loop.offer(
        new LoopEvent.Register(
            RegisterRequest.newBuilder()
                .setNodeId("n-1")
                .setNodeName("n-1")
                .addDevices(
                    DeviceInfo.newBuilder()
                        .setIndex(0)
                        .setUuid("GPU-0")
                        .setModel("NVIDIA H100 80GB")
                        .setMemoryTotalBytes(80L << 30))
                .build(),
            Credentials.hash("secret"),
            new CompletableFuture<>()));
    loop.runOnce();
    RecordingLink link = new RecordingLink();
    loop.offer(
        new LoopEvent.Hello(
            AgentHello.newBuilder()
                .setNodeId("n-1")
                .setNodeCredential("secret")
                .setInstanceId("i")
                .build(),
            link,
            new CompletableFuture<>()));
    loop.runOnce();
    return link;
  }

  private static void submit(SchedulerLoop loop, io.gpupool.proto.v1.TaskSpec spec) {
    loop.offer(new LoopEvent.Submit(spec, "", new CompletableFuture<>()));
    loop.runOnce();
  }

  private static LoopEvent update(
      RecordingLink link,
      AtomicLong ids,
      String taskId,
      java.util.function.Consumer<TaskUpdate.Builder> kind) {
    TaskUpdate.Builder update =
        TaskUpdate.newBuilder().setUpdateId(ids.incrementAndGet()).setTaskId(taskId);
    kind.accept(update);
    return new LoopEvent.UpdateReceived("n-1", link, update.build());
  }

  private static LoopEvent ended(
      RecordingLink link, AtomicLong ids, int exit, boolean cancelled, boolean preempted) {
    return update(
        link,
        ids,
        "t-1",
        u ->
            u.setEnded(
                TaskEnded.newBuilder()
                    .setCancelled(cancelled)
                    .setPreempted(preempted)
                    .setResult(TaskResult.newBuilder().setExitCode(exit))));
  }
}
