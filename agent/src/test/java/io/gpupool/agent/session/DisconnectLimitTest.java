package io.gpupool.agent.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.proto.v1.CancelTaskCommand;
import io.gpupool.proto.v1.PreemptTaskCommand;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DisconnectLimitTest {

  private static final Duration LIMIT = Duration.ofMinutes(2);

  private final ManualClock clock = new ManualClock();
  private final RecordingCommands commands = new RecordingCommands(Set.of("t1", "t2"));
  private final DisconnectLimit limit = new DisconnectLimit(LIMIT, clock, commands);

  @Test
  void stopsEveryRunningTaskOnceTheOutageLastsTheLimitAndNotBefore() {
    limit.lost();
    clock.advance(LIMIT.minusMillis(1));
    limit.check();
    assertThat(commands.cancelled).as("just before the limit").isEmpty();

    clock.advance(Duration.ofMillis(1));
    limit.check();
    assertThat(commands.cancelled).containsExactlyInAnyOrder("t1", "t2");

    clock.advance(Duration.ofMinutes(5));
    limit.check();
    assertThat(commands.cancelled).as("once per outage").hasSize(2);
  }

  @Test
  void aReconnectInTimeEndsTheOutage() {
    limit.lost();
    clock.advance(Duration.ofMinutes(1));
    limit.accepted();
    clock.advance(Duration.ofMinutes(1));
    limit.lost();
    clock.advance(Duration.ofMinutes(1));
    limit.check();
    assertThat(commands.cancelled).as("3 min in all, but no outage of 2 min").isEmpty();

    clock.advance(Duration.ofMinutes(1));
    limit.check();
    assertThat(commands.cancelled).as("the second outage reached 2 min").hasSize(2);
  }

  @Test
  void doesNothingWhileConnected() {
    clock.advance(Duration.ofHours(1));
    limit.check();
    assertThat(commands.cancelled).isEmpty();
  }

  @Test
  void aLaterLossDuringTheSameOutageKeepsItsStart() {
    limit.lost();
    clock.advance(Duration.ofMinutes(1));
    limit.lost(); // e.g. a reconnect attempt whose stream failed before the hello was accepted
    clock.advance(Duration.ofMinutes(1));
    limit.check();
    assertThat(commands.cancelled).hasSize(2);
  }

  @Test
  void theEndedUpdateOfAStoppedTaskSaysControllerUnreachableNotCancelled() {
    limit.lost();
    clock.advance(LIMIT);
    limit.check();

    TaskUpdate rewritten = limit.rewrite(cancelledEnd("t1", 143));

    TaskEnded ended = rewritten.getEnded();
    assertThat(ended.getCancelled()).isFalse();
    assertThat(ended.getResult().getReasonCode()).isEqualTo("CONTROLLER_UNREACHABLE");
    assertThat(ended.getResult().getMessage())
        .isEqualTo("stopped after 2m without the controller (--stop-work-after-disconnect)");
    assertThat(ended.getResult().getExitCode()).isEqualTo(143);
  }

  @Test
  void otherUpdatesAndTasksNotStoppedHereAreLeftAlone() {
    TaskUpdate beforeTheStop = cancelledEnd("t1", 143);
    assertThat(limit.rewrite(beforeTheStop))
        .as("a cancel by the controller")
        .isSameAs(beforeTheStop);

    limit.lost();
    clock.advance(LIMIT);
    limit.check();
    TaskUpdate log = TaskUpdate.newBuilder().setTaskId("t1").build();
    assertThat(limit.rewrite(log)).isSameAs(log);
    TaskUpdate exitedByItself =
        TaskUpdate.newBuilder()
            .setTaskId("t2")
            .setEnded(TaskEnded.newBuilder().setResult(TaskResult.newBuilder().setExitCode(0)))
            .build();
    assertThat(limit.rewrite(exitedByItself)).isSameAs(exitedByItself);
    TaskUpdate later = cancelledEnd("t1", 143);
    limit.rewrite(later);
    assertThat(limit.rewrite(later)).as("rewritten once: a later run is not").isSameAs(later);
  }

  @Test
  void formatsTheLimitAsTheFlagTakesIt() {
    assertThat(DisconnectLimit.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(DisconnectLimit.format(Duration.ofMillis(500))).isEqualTo("500ms");
  }

  @Test
  void checksOftenEnoughForTheLimitButNotBusily() {
    assertThat(limit.checkInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(new DisconnectLimit(Duration.ofSeconds(1), clock, commands).checkInterval())
        .isEqualTo(Duration.ofMillis(100));
    assertThat(new DisconnectLimit(Duration.ofMillis(20), clock, commands).checkInterval())
        .isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void theLimitMustBePositive() {
    assertThatThrownBy(() -> new DisconnectLimit(Duration.ZERO, clock, commands))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static TaskUpdate cancelledEnd(String taskId, int exitCode) {
    return TaskUpdate.newBuilder()
        .setTaskId(taskId)
        .setEnded(
            TaskEnded.newBuilder()
                .setCancelled(true)
                .setResult(TaskResult.newBuilder().setExitCode(exitCode).setMessage("cancelled")))
        .build();
  }

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2026-11-25T12:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Task commands that only record the cancels, with a fixed set of running tasks. */
  static final class RecordingCommands implements TaskCommands {
    final List<String> cancelled = new CopyOnWriteArrayList<>();
    private final Set<String> running;

    RecordingCommands(Set<String> running) {
      this.running = running;
    }

    @Override
    public void start(StartTask command) {}

    @Override
    public void cancel(CancelTaskCommand command) {
      cancelled.add(command.getTaskId());
    }

    @Override
    public void preempt(PreemptTaskCommand command) {}

    @Override
    public Set<String> runningTaskIds() {
      return running;
    }
  }
}
