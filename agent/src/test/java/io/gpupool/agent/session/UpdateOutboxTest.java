package io.gpupool.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.proto.v1.TaskUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class UpdateOutboxTest {

  private static TaskUpdate update(String taskId) {
    return TaskUpdate.newBuilder().setTaskId(taskId).build();
  }

  @Test
  void numbersUpdatesConsecutivelyFromOne() {
    UpdateOutbox outbox = new UpdateOutbox();

    assertThat(outbox.add(update("a")).getUpdateId()).isEqualTo(1);
    assertThat(outbox.add(update("b")).getUpdateId()).isEqualTo(2);
    assertThat(outbox.add(update("c")).getUpdateId()).isEqualTo(3);
    assertThat(outbox.after(0)).extracting(TaskUpdate::getTaskId).containsExactly("a", "b", "c");
  }

  @Test
  void ackIsCumulative() {
    UpdateOutbox outbox = new UpdateOutbox();
    for (String id : new String[] {"a", "b", "c", "d"}) {
      outbox.add(update(id));
    }

    outbox.acknowledge(2);

    assertThat(outbox.after(0)).extracting(TaskUpdate::getUpdateId).containsExactly(3L, 4L);
    assertThat(outbox.lastAcknowledged()).isEqualTo(2);
    assertThat(outbox.size()).isEqualTo(2);
  }

  @Test
  void staleOrFutureAcksDoNotGoBackwardsOrBeyondWhatExists() {
    UpdateOutbox outbox = new UpdateOutbox();
    outbox.add(update("a"));
    outbox.add(update("b"));
    outbox.acknowledge(1);

    outbox.acknowledge(0);
    assertThat(outbox.lastAcknowledged()).isEqualTo(1);

    outbox.acknowledge(99);
    assertThat(outbox.size()).isZero();
    assertThat(outbox.lastAcknowledged()).isEqualTo(2);
    assertThat(outbox.add(update("c")).getUpdateId()).isEqualTo(3);
  }

  @Test
  void taskIdsAreThoseWithUnacknowledgedUpdates() {
    UpdateOutbox outbox = new UpdateOutbox();
    outbox.add(update("a"));
    outbox.add(update("b"));
    outbox.add(update("a"));

    assertThat(outbox.taskIds()).containsExactly("a", "b");
    outbox.acknowledge(2);
    assertThat(outbox.taskIds()).containsExactly("a");
    outbox.acknowledge(3);
    assertThat(outbox.taskIds()).isEmpty();
  }

  @Test
  void afterSkipsWhatWasSentAlready() {
    UpdateOutbox outbox = new UpdateOutbox();
    outbox.add(update("a"));
    outbox.add(update("b"));
    outbox.add(update("c"));

    assertThat(outbox.after(2)).extracting(TaskUpdate::getTaskId).containsExactly("c");
  }

  @Test
  void aSpooledOutboxComesBackAfterARestartAndGoesOnNumbering(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    UpdateSpool spool = UpdateSpool.open(dir);
    UpdateOutbox outbox = new UpdateOutbox(spool);
    outbox.add(TaskUpdate.newBuilder().setTaskId("t-1").build());
    outbox.add(TaskUpdate.newBuilder().setTaskId("t-2").build());
    outbox.add(TaskUpdate.newBuilder().setTaskId("t-3").build());
    outbox.acknowledge(1);

    UpdateSpool reopened = UpdateSpool.open(dir);
    UpdateOutbox restored = new UpdateOutbox(reopened);

    assertThat(reopened.instanceId()).isEqualTo(spool.instanceId());
    assertThat(restored.after(0)).extracting(TaskUpdate::getUpdateId).containsExactly(2L, 3L);
    assertThat(restored.taskIds()).containsExactly("t-2", "t-3");
    assertThat(restored.lastAcknowledged()).isEqualTo(1);
    assertThat(restored.add(TaskUpdate.newBuilder().setTaskId("t-4").build()).getUpdateId())
        .isEqualTo(4);

    restored.acknowledge(4);
    assertThat(UpdateSpool.open(dir).pending()).isEmpty();
    assertThat(
            new UpdateOutbox(UpdateSpool.open(dir))
                .add(TaskUpdate.newBuilder().setTaskId("t-5").build())
                .getUpdateId())
        .as("numbering survives even when nothing is pending")
        .isEqualTo(5);
  }
}
