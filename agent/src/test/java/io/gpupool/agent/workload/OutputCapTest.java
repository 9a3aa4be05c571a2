package io.gpupool.agent.workload;

import static io.gpupool.agent.workload.TaskUpdates.awaitEnded;
import static io.gpupool.agent.workload.TaskUpdates.lines;
import static io.gpupool.agent.workload.TaskUpdates.sh;
import static io.gpupool.agent.workload.TaskUpdates.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.proto.v1.LogLine;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A chatty task stays within its output limits, on disk and on the wire, and ends as usual. */
@Timeout(60)
class OutputCapTest {

  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final long CAP = 64 * 1024;

  @TempDir Path stateDir;

  private final List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
  private TaskRunner runner;

  @AfterEach
  void tearDown() {
    if (runner != null) {
      runner.close();
    }
  }

  private TaskRunner runner(OutputLimits limits) {
    runner =
        TaskUpdates.runner(
            stateDir,
            Clock.fixed(NOW, ZoneOffset.UTC),
            updates,
            WorkloadSettings.defaults().withOutputLimits(limits));
    return runner;
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  @Test
  void aTaskPrintingFarPastTheCapKeepsItsFileSmallSendsOneMarkerAndEndsWithItsExitCode()
      throws IOException {
    // 10 MB in chunks of 100 kB (lines of 100 bytes), at about 5 MB/s, then wait for "go".
    String script =
        "i=0; while [ $i -lt 100 ]; do head -c 99000 /dev/zero | tr '\\0' x | fold -w 99;"
            + " sleep 0.02; i=$((i+1)); done; touch written;"
            + " while [ ! -e go ]; do sleep 0.02; done; exit 3";
    runner(OutputLimits.of(CAP, 1_000_000, 1L << 30)).start("t-cap", sh(script, null), List.of());
    Path task = stateDir.resolve("tasks").resolve("t-cap");
    Path stdoutFile = task.resolve(".gpupool").resolve("stdout");
    Path work = task.resolve("work");
    AtomicLong largest = new AtomicLong();

    await()
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              largest.accumulateAndGet(size(stdoutFile), Math::max);
              return Files.exists(work.resolve("written"));
            });
    await().until(() -> size(stdoutFile) < CAP);
    Files.createFile(work.resolve("go"));

    TaskEnded ended = awaitEnded(updates, "t-cap");
    assertThat(ended.getResult().getExitCode()).isEqualTo(3);
    assertThat(largest.get())
        .as("the file on disk never holds much more than the cap (10 MB were written)")
        .isLessThan(5L << 20);
    List<LogLine> lines = lines(updates, "t-cap");
    assertThat(lines)
        .filteredOn(l -> l.getText().startsWith(TaskOutput.MARKER_PREFIX))
        .extracting(LogLine::getText)
        .containsExactly(
            "[gpupool: output past 64 KiB dropped (the agent's --max-task-output-bytes)]");
    assertThat(lines.get(lines.size() - 1).getText()).startsWith(TaskOutput.MARKER_PREFIX);
    assertThat(lines.stream().mapToLong(l -> l.getText().length() + 1).sum())
        .isBetween(CAP - 200, CAP + 200);
  }

  @Test
  void aBurstOverTheRateIsCutToTheRateInOrderWithAMarkerCountingTheRest() {
    runner(OutputLimits.of(1L << 30, 10, 1 << 20))
        .start("t-burst", sh("seq 1 50", null), List.of());

    TaskEnded ended = awaitEnded(updates, "t-burst");
    assertThat(ended.getResult().getExitCode()).isZero();
    List<String> expected = new ArrayList<>();
    IntStream.rangeClosed(1, 10).forEach(i -> expected.add(Integer.toString(i)));
    expected.add("[gpupool: 40 lines dropped over the log rate limit of 10 lines/s and 1 MiB/s]");
    assertThat(stdout(updates, "t-burst")).containsExactlyElementsOf(expected);
  }

  @Test
  void theDefaultsLetAnOrdinaryTaskSayEverything() {
    // A second's worth of lines at once: the clock stands still.
    runner(OutputLimits.DEFAULT).start("t-chat", sh("seq 1 999; echo oops >&2", null), List.of());

    awaitEnded(updates, "t-chat");
    assertThat(stdout(updates, "t-chat")).hasSize(999).endsWith("999");
    assertThat(TaskUpdates.stderr(updates, "t-chat")).containsExactly("oops");
  }
}
