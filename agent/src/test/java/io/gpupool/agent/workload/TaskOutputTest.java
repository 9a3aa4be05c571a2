package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.LogStream;
import io.gpupool.proto.v1.TaskUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A task's output within its limits: rate, total, and bounded memory; offsets for a take-over. */
@Timeout(60)
class TaskOutputTest {

  private static final LogStream OUT = LogStream.LOG_STREAM_STDOUT;
  private static final LogStream ERR = LogStream.LOG_STREAM_STDERR;

  private final List<TaskUpdate> updates = new ArrayList<>();
  private final List<long[]> recorded = new ArrayList<>();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T10:00:00Z"));
  private long stdoutOffset;
  private long stderrOffset;

  private TaskOutput output(OutputLimits limits) {
    return output(limits, new long[3]);
  }

  private TaskOutput output(OutputLimits limits, long[] start) {
    return new TaskOutput(
        "t-1",
        clock,
        updates::add,
        (out, err, sent) -> recorded.add(new long[] {out, err, sent}),
        limits,
        start);
  }

  private void print(TaskOutput output, LogStream stream, String text) {
    long end =
        stream == ERR ? (stderrOffset += text.length() + 1) : (stdoutOffset += text.length() + 1);
    output.line(stream, text, end);
  }

  private List<LogLine> lines() {
    return updates.stream()
        .filter(TaskUpdate::hasLogs)
        .flatMap(u -> u.getLogs().getLinesList().stream())
        .toList();
  }

  private List<String> texts(LogStream stream) {
    return lines().stream().filter(l -> l.getStream() == stream).map(LogLine::getText).toList();
  }

  @Test
  void linesOverTheRateAreDroppedAndCountedInAMarkerBeforeTheNextLineThatPasses() {
    TaskOutput output = output(OutputLimits.of(1 << 30, 10, 1 << 20));

    IntStream.rangeClosed(1, 50).forEach(i -> print(output, OUT, "line " + i));
    clock.advance(Duration.ofMillis(500)); // room for 5 more
    IntStream.rangeClosed(51, 60).forEach(i -> print(output, OUT, "line " + i));
    output.close();

    List<String> expected = new ArrayList<>();
    IntStream.rangeClosed(1, 10).forEach(i -> expected.add("line " + i));
    expected.add("[gpupool: 40 lines dropped over the log rate limit of 10 lines/s and 1 MiB/s]");
    IntStream.rangeClosed(51, 55).forEach(i -> expected.add("line " + i));
    expected.add("[gpupool: 5 lines dropped over the log rate limit of 10 lines/s and 1 MiB/s]");
    assertThat(texts(OUT)).containsExactlyElementsOf(expected);
  }

  @Test
  void theByteRateCountsTooAndProgressLinesAreLinesOfTheTask() {
    TaskOutput output = output(OutputLimits.of(1 << 30, 1000, 100));

    print(output, OUT, "x".repeat(59)); // 60 bytes with its newline
    print(output, OUT, "##gpupool progress=50 half"); // 27 bytes: fits in the 40 left
    print(output, OUT, "y".repeat(20)); // 21 bytes: 13 left, dropped
    output.flush();
    clock.advance(Duration.ofSeconds(1));
    print(output, ERR, "oops");
    output.close();

    assertThat(updates.stream().filter(TaskUpdate::hasProgress)).hasSize(1);
    assertThat(texts(OUT))
        .containsExactly(
            "x".repeat(59),
            "[gpupool: 1 line dropped over the log rate limit of 1000 lines/s and 100 bytes/s]");
    assertThat(texts(ERR)).containsExactly("oops");
  }

  @Test
  void outputPastTheTotalIsDroppedAfterOneMarker() {
    TaskOutput output = output(OutputLimits.of(1024, 1_000_000, 1 << 30));

    IntStream.rangeClosed(1, 500)
        .forEach(i -> print(output, i % 2 == 0 ? ERR : OUT, "%04d".formatted(i) + "-".repeat(95)));
    output.close();

    List<LogLine> lines = lines();
    assertThat(lines).filteredOn(l -> l.getText().startsWith("[gpupool")).hasSize(1);
    assertThat(lines.get(lines.size() - 1).getText())
        .isEqualTo("[gpupool: output past 1 KiB dropped (the agent's --max-task-output-bytes)]");
    assertThat(lines).hasSize(11); // ten lines of 100 bytes, then the marker
    assertThat(recorded.get(recorded.size() - 1)[2]).as("bytes sent").isEqualTo(1000);
  }

  @Test
  void aTakeOverContinuesTheTotalAndSendsNoSecondMarker() {
    TaskOutput output = output(OutputLimits.of(1024, 1_000_000, 1 << 30), new long[] {0, 0, 1000});

    print(output, OUT, "a".repeat(99));
    output.close();
    TaskOutput capped = output(OutputLimits.of(1024, 1_000_000, 1 << 30), new long[] {0, 0, 1024});
    print(capped, OUT, "b");
    capped.close();

    assertThat(texts(OUT))
        .containsExactly(
            "[gpupool: output past 1 KiB dropped (the agent's --max-task-output-bytes)]");
  }

  @Test
  void pendingLinesAreFlushedEveryMegabyteSoMemoryStaysBounded() {
    TaskOutput output = output(OutputLimits.of(1L << 40, 1_000_000, 1L << 40));

    for (int i = 0; i < 40; i++) {
      print(output, OUT, "z".repeat(64 * 1024 - 1));
    }

    assertThat(updates).isNotEmpty();
    assertThat(updates)
        .allMatch(
            u ->
                u.getLogs().getLinesList().stream().mapToLong(l -> l.getText().length()).sum()
                    < TaskOutput.MAX_BATCH_BYTES + 64 * 1024);
  }

  @Test
  void anEmptiedFileStartsItsOffsetOverAtZeroRecordedAtOnce() {
    TaskOutput output = output(OutputLimits.DEFAULT);
    print(output, OUT, "one");
    print(output, ERR, "two");
    output.flush();
    assertThat(recorded.get(recorded.size() - 1)).containsExactly(4, 4, 8);

    output.rewound(OUT);

    assertThat(recorded.get(recorded.size() - 1)).containsExactly(0, 4, 8);
    output.line(OUT, "three", 6);
    output.flush();
    assertThat(recorded.get(recorded.size() - 1)).containsExactly(6, 4, 14);
  }

  @Test
  void bytesDroppedUnreadAreReportedOnTheirStream() {
    TaskOutput output = output(OutputLimits.DEFAULT);

    output.droppedUnread(ERR, 3L << 20);
    output.flush();

    assertThat(texts(ERR))
        .containsExactly(
            "[gpupool: 3 MiB dropped unread: the task wrote faster than the agent reads]");
  }

  @Test
  void sizesInMarkersAreExactInTheirUnitOrRounded() {
    assertThat(OutputLimits.bytesText(1L << 30)).isEqualTo("1 GiB");
    assertThat(OutputLimits.bytesText(64 * 1024)).isEqualTo("64 KiB");
    assertThat(OutputLimits.bytesText(1000)).isEqualTo("1000 bytes");
    assertThat(OutputLimits.roughBytesText(3L << 20)).isEqualTo("3 MiB");
    assertThat(OutputLimits.roughBytesText((2L << 20) + 10)).isEqualTo("about 2 MiB");
    assertThat(OutputLimits.roughBytesText(500)).isEqualTo("500 bytes");
  }

  /** A clock that moves only when told. */
  private static final class ManualClock extends Clock {
    private Instant now;

    ManualClock(Instant start) {
      this.now = start;
    }

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
}
