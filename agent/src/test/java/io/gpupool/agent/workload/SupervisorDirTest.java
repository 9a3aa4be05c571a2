package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SupervisorDirTest {

  private static final Instant STARTED = Instant.parse("2026-11-25T10:00:00.123456789Z");
  private static final StartTask START =
      StartTask.newBuilder()
          .setTaskId("t-1")
          .setSpec(
              TaskSpec.newBuilder()
                  .setCommand(CommandWorkload.newBuilder().addArgv("echo").addArgv("hi\n")))
          .addDeviceIndices(1)
          .setAttempt(3)
          .putEnv("RANK", "2")
          .build();

  private static final SupervisorDir.RunAs NOBODY = new SupervisorDir.RunAs(65534, 65534, "nobody");

  @TempDir Path taskDir;

  private SupervisorDir prepared() throws IOException {
    SupervisorDir dir = new SupervisorDir(taskDir);
    dir.prepare(START, STARTED, NOBODY);
    return dir;
  }

  @Test
  void theLaunchRecordKeepsTheStartMessageTimeAndUser() throws IOException {
    SupervisorDir dir = prepared();

    assertThat(dir.hasRecord()).isTrue();
    assertThat(dir.readRecord())
        .isEqualTo(new SupervisorDir.LaunchRecord(START, STARTED, Optional.of(NOBODY)));
  }

  @Test
  void aLaunchRecordOfAnEarlierAgentWithoutUserIsStillRead() throws IOException {
    SupervisorDir dir = prepared();
    byte[] message = START.toByteArray();
    byte[] time = (STARTED + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] record = Arrays.copyOf(time, time.length + message.length);
    System.arraycopy(message, 0, record, time.length, message.length);
    Files.write(dir.path().resolve("launch"), record);

    assertThat(dir.readRecord())
        .isEqualTo(new SupervisorDir.LaunchRecord(START, STARTED, Optional.empty()));
  }

  @Test
  void onlyTheAgentsUserMayEnterTheDirectory() throws IOException {
    SupervisorDir dir = prepared();

    assertThat(Files.getPosixFilePermissions(dir.path()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void aTruncatedRecordIsUnreadableNotMisread() throws IOException {
    SupervisorDir dir = prepared();
    Files.writeString(dir.path().resolve("launch"), "2026-11-25T1");

    assertThatThrownBy(dir::readRecord)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("launch");
  }

  @Test
  void anExitStatusCountsOnlyWhenCompletelyWritten() throws IOException {
    SupervisorDir dir = prepared();
    assertThat(dir.exitStatus()).isEmpty();

    Files.writeString(dir.path().resolve("exit"), "14");
    assertThat(dir.exitStatus()).as("no newline: the write did not finish").isEmpty();

    Files.writeString(dir.path().resolve("exit"), "143\n");
    assertThat(dir.exitStatus()).hasValue(143);
  }

  @Test
  void pidIsEmptyUntilTheSupervisorWroteIt() throws IOException {
    SupervisorDir dir = prepared();
    assertThat(dir.pid()).isEmpty();

    Files.writeString(dir.path().resolve("pid"), "4242\n");

    assertThat(dir.pid()).hasValue(4242);
  }

  @Test
  void reportedOffsetsStartAtZeroAndKeepTheLastWritten() throws IOException {
    SupervisorDir dir = prepared();
    assertThat(dir.reportedOffsets()).containsExactly(0, 0, 0);

    dir.writeReportedOffsets(10, 3, 13);
    dir.writeReportedOffsets(25, 7, 32);
    assertThat(dir.reportedOffsets()).containsExactly(25, 7, 32);

    dir.writeReportedOffsets(0, 7, 40); // stdout was emptied
    assertThat(dir.reportedOffsets()).containsExactly(0, 7, 40);
  }

  @Test
  void offsetsOfAnEarlierAgentWithoutByteCountAreStillRead() throws IOException {
    SupervisorDir dir = prepared();
    Files.writeString(dir.path().resolve("offsets"), "0000000000000000025 0000000000000000007\n");

    assertThat(dir.reportedOffsets()).containsExactly(25, 7, 0);
  }

  @Test
  void stopStateRoundTrips() throws IOException {
    SupervisorDir dir = prepared();
    assertThat(dir.readStopState()).isEmpty();
    Properties state = new Properties();
    state.setProperty("reason", "CANCELLED");
    state.setProperty("notice-reason", "preempted by \"t-9\" é\n");

    dir.writeStopState(state);

    assertThat(dir.readStopState()).isEqualTo(state);
  }

  @Test
  void markingReportedKeepsTheAttemptAndEmptiesTheOutput() throws IOException {
    SupervisorDir dir = prepared();
    Files.writeString(dir.stdout(), "lots of output\n");
    Files.writeString(dir.path().resolve("exit"), "0\n");
    assertThat(dir.isReported()).isFalse();

    dir.markReported();

    assertThat(dir.isReported()).isTrue();
    assertThat(dir.reportedAttempt()).hasValue(3);
    assertThat(dir.hasRecord()).isTrue();
    assertThat(dir.stdout()).isEmptyFile();
    assertThat(dir.path().resolve("launch")).doesNotExist();
  }

  @Test
  void preparingTheNextAttemptClearsTheEarlierOne() throws IOException {
    SupervisorDir dir = prepared();
    Files.writeString(dir.path().resolve("exit"), "1\n");
    dir.markReported();

    dir.prepare(START.toBuilder().setAttempt(4).build(), STARTED, NOBODY);

    assertThat(dir.isReported()).isFalse();
    assertThat(dir.exitStatus()).isEmpty();
    assertThat(dir.readRecord().command().getAttempt()).isEqualTo(4);
  }
}
