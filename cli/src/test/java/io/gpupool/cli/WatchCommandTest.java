package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.cli.client.Terminal;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code gpupool watch ID} and {@code submit --watch}: live line on a terminal, lines otherwise.
 */
@Timeout(60)
class WatchCommandTest {
  private static final String ERASE_LINE = "\r\033[2K";

  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
    cli.scheduler.submitted = Task.newBuilder().setId("t-7").build();
    cli.scheduler.put(cli.scheduler.submitted);
    TestEvents events = new TestEvents("t-7");
    cli.scheduler.events.put(
        "t-7",
        List.of(
            events.state(0, TaskState.TASK_STATE_PENDING, "waiting for 2 free GPUs"),
            events.state(2, TaskState.TASK_STATE_RUNNING, "started"),
            events.progress(
                3, Progress.newBuilder().setPercent(100.0 / 3).setStep(1).setTotalSteps(3)),
            events.stdout("epoch 1 done"),
            events.stderr("warning: slow disk"),
            events.ended(
                5,
                TaskState.TASK_STATE_FAILED,
                "workload failed",
                TaskResult.newBuilder().setExitCode(3).setMessage("exited").build())));
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  @Test
  void onATerminalTheStatusLineIsRedrawnInPlaceWithBarAndEta() {
    cli.terminal = new Terminal(true, 80);

    CliHarness.Result result = cli.run("watch", "t-7");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.out())
        .contains(ERASE_LINE + "t-7 PENDING waiting for 2 free GPUs" + ERASE_LINE)
        .contains(ERASE_LINE + "t-7 RUNNING [######..............] 33% step 1/3 eta 0:02");
    assertThat(screen(result.out()))
        .containsExactly(
            "epoch 1 done",
            "t-7 FAILED [######..............] 33% step 1/3",
            "t-7 FAILED: exit code 3: exited");
    assertThat(result.err()).isEqualTo("warning: slow disk" + System.lineSeparator());
  }

  @Test
  void onANarrowTerminalTheStatusLineFitsTheWidth() {
    cli.terminal = new Terminal(true, 30);

    CliHarness.Result result = cli.run("watch", "t-7");

    List<String> drawn = new ArrayList<>();
    for (String afterErase : result.out().split(Pattern.quote(ERASE_LINE))) {
      drawn.add(afterErase.split("\n", -1)[0]);
    }
    assertThat(drawn).anyMatch(line -> line.startsWith("t-7 RUNNING ["));
    assertThat(drawn).allMatch(line -> line.length() < 30);
  }

  @Test
  void submitWatchOnATerminalPrintsTheIdThenTheLiveLine() {
    cli.terminal = new Terminal(true, 80);

    CliHarness.Result result = cli.run("submit", "--watch", "--", "python", "train.py");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(screen(result.out())).first().isEqualTo("t-7");
    assertThat(result.out()).contains(ERASE_LINE + "t-7 RUNNING [######");
  }

  @Test
  void withoutATerminalWatchPrintsPlainLinesAndNoControlCodes() {
    CliHarness.Result result = cli.run("watch", "t-7");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.out()).doesNotContain("\r").doesNotContain("\033");
    assertThat(result.outLines())
        .containsExactly(
            "12:00:00 PENDING waiting for 2 free GPUs",
            "12:00:02 RUNNING started",
            "12:00:03 progress 33.3% step 1/3",
            "epoch 1 done",
            "12:00:05 FAILED workload failed");
  }

  @Test
  void jsonOnATerminalIsStillOneTaskEventPerLine() throws Exception {
    cli.terminal = new Terminal(true, 80);

    CliHarness.Result result = cli.run("watch", "-o", "json", "t-7");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.out()).doesNotContain("\033");
    List<TaskEvent> printed = new ArrayList<>();
    for (String line : result.outLines()) {
      TaskEvent.Builder event = TaskEvent.newBuilder();
      JsonFormat.parser().merge(line, event);
      printed.add(event.build());
    }
    assertThat(printed).hasSize(6).allMatch(e -> e.getTaskId().equals("t-7"));
  }

  @Test
  void watchExitsZeroWhenTheTaskSucceeds() {
    TestEvents events = new TestEvents("t-8");
    cli.scheduler.put(Task.newBuilder().setId("t-8").build());
    cli.scheduler.events.put(
        "t-8",
        List.of(
            events.state(0, TaskState.TASK_STATE_RUNNING, "started"),
            events.ended(
                1,
                TaskState.TASK_STATE_SUCCEEDED,
                "done",
                TaskResult.newBuilder().setExitCode(0).build())));
    cli.terminal = new Terminal(true, 80);

    CliHarness.Result result = cli.run("watch", "t-8");

    assertThat(result.exitCode()).isZero();
    assertThat(screen(result.out())).containsExactly("t-8 SUCCEEDED done");
  }

  @Test
  void watchOfAnUnknownTaskFailsWithTheStatus() {
    CliHarness.Result result = cli.run("watch", "t-404");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("error: NOT_FOUND: task t-404 not found");
  }

  /** What a terminal shows: per line, what follows the last carriage return and erase. */
  private static List<String> screen(String out) {
    List<String> shown = new ArrayList<>();
    for (String line : out.split("\n")) {
      int erase = line.lastIndexOf(ERASE_LINE);
      String visible = erase < 0 ? line : line.substring(erase + ERASE_LINE.length());
      if (!visible.isEmpty()) {
        shown.add(visible);
      }
    }
    return shown;
  }
}
