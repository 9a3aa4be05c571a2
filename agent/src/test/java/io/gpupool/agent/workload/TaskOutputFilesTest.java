package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskUpdate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Output files are read, emptied once large, and their offsets recorded consistently. */
@Timeout(60)
class TaskOutputFilesTest {

  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  @TempDir Path taskDir;

  private final List<TaskUpdate> updates = new ArrayList<>();
  private final List<long[]> recorded = new ArrayList<>();
  private SupervisorDir dir;
  private TaskOutput output;

  @BeforeEach
  void setUp() throws IOException {
    dir = new SupervisorDir(taskDir);
    dir.prepare(
        StartTask.newBuilder().setTaskId("t-1").build(),
        NOW,
        SupervisorDir.RunAs.of(WorkloadUser.agent()));
    output =
        new TaskOutput(
            "t-1",
            Clock.fixed(NOW, ZoneOffset.UTC),
            updates::add,
            (out, err, sent) -> recorded.add(new long[] {out, err, sent}),
            OutputLimits.of(1L << 40, 10_000_000, 1L << 40),
            new long[3]);
  }

  private TaskOutputFiles files(long fileBytes) {
    return new TaskOutputFiles("t-1", dir, new long[2], output, fileBytes, output::line);
  }

  private void append(Path file, String text) throws IOException {
    Files.writeString(
        file,
        text,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
  }

  private static String lines(int from, int to) {
    return IntStream.rangeClosed(from, to)
        .mapToObj(i -> "line-%03d\n".formatted(i))
        .collect(Collectors.joining());
  }

  private List<String> stdout() {
    output.flush();
    return updates.stream()
        .flatMap(u -> u.getLogs().getLinesList().stream())
        .filter(l -> l.getStream() == LogStream.LOG_STREAM_STDOUT)
        .map(LogLine::getText)
        .toList();
  }

  @Test
  void aFileThatGrewPastTheLimitIsEmptiedOnceItsLinesAreReported() throws IOException {
    TaskOutputFiles files = files(100);
    append(dir.stdout(), lines(1, 30)); // 270 bytes

    files.read(true);

    assertThat(stdout()).hasSize(30).startsWith("line-001").endsWith("line-030");
    assertThat(dir.stdout()).isEmptyFile();
    assertThat(dir.reportedOffsets()[0]).isZero();

    append(dir.stdout(), lines(31, 32));
    files.read(true);

    assertThat(stdout()).hasSize(32).endsWith("line-031", "line-032");
    assertThat(recorded.get(recorded.size() - 1)).containsExactly(18, 0, 288);
    assertThat(dir.stdout()).hasSize(18);
  }

  @Test
  void aLineCutByTheEmptyingIsCompletedByWhatFollows() throws IOException {
    TaskOutputFiles files = files(10);
    append(dir.stdout(), "first\nsecond half");

    files.read(true);
    append(dir.stdout(), "-and-end\n");
    files.read(true);

    assertThat(stdout()).containsExactly("first", "second half-and-end");
  }

  @Test
  void aFileTheWorkloadEmptiedItselfIsFollowedFromItsStart() throws IOException {
    TaskOutputFiles files = files(1 << 20);
    append(dir.stdout(), lines(1, 3));
    files.read(true);

    Files.write(dir.stdout(), new byte[0]); // the workload truncated its stdout
    append(dir.stdout(), "again\n");
    files.read(true);

    assertThat(stdout()).containsExactly("line-001", "line-002", "line-003", "again");
  }

  @Test
  void aBacklogLargerThanOneTurnIsDroppedUnreadWithAMarker() throws IOException {
    TaskOutputFiles files = files(100);
    append(dir.stderr(), "e".repeat(63) + "\n" + ("x".repeat(63) + "\n").repeat(3 * 16384 - 1));

    files.read(true);
    output.close();

    List<String> stderr =
        updates.stream()
            .flatMap(u -> u.getLogs().getLinesList().stream())
            .map(LogLine::getText)
            .toList();
    assertThat(stderr).hasSize(16384 + 1);
    assertThat(stderr.get(stderr.size() - 1))
        .isEqualTo("[gpupool: 2 MiB dropped unread: the task wrote faster than the agent reads]");
    assertThat(dir.stderr()).isEmptyFile();
  }

  @Test
  void theEndReadsTheLastWordsOfAHugeBacklog() throws IOException {
    TaskOutputFiles files = files(100);
    append(dir.stdout(), ("y".repeat(63) + "\n").repeat(3 * 16384) + "last words");

    files.drain();
    output.close();

    List<String> all = stdout();
    assertThat(all.get(0))
        .as("the marker comes where the dropped output was")
        .isEqualTo(
            "[gpupool: about 2 MiB dropped unread: the task wrote faster than the agent reads]");
    assertThat(all.get(all.size() - 1)).isEqualTo("last words");
    assertThat(all).hasSizeLessThan(16384 + 3);
  }
}
