package io.gpupool.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.JsonFormat;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.WatchTaskResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LogsCommandTest {
  private final TestEvents events = new TestEvents("t-5");
  private CliHarness cli;

  @BeforeEach
  void startFakeController() throws Exception {
    cli = new CliHarness();
    cli.scheduler.put(
        Task.newBuilder().setId("t-5").setState(TaskState.TASK_STATE_RUNNING).build());
  }

  @AfterEach
  void stopFakeController() throws Exception {
    cli.close();
  }

  @Test
  void printsStoredLinesAcrossPagesWithStderrLinesOnStderr() {
    cli.scheduler.events.put(
        "t-5",
        List.of(
            events.state(0, TaskState.TASK_STATE_RUNNING, "started"),
            events.stdout("line 1"),
            events.stderr("warn 1"),
            events.progress(1, Progress.newBuilder().setPercent(50)),
            events.stdout("line 2"),
            events.stderr("warn 2"),
            events.stdout("  indented line kept as-is")));

    CliHarness.Result result = cli.run("logs", "t-5");

    assertThat(result.exitCode()).isZero();
    assertThat(result.outLines()).containsExactly("line 1", "line 2", "  indented line kept as-is");
    assertThat(result.err().lines()).containsExactly("warn 1", "warn 2");
    assertThat(cli.scheduler.eventRequests).hasSize(4);
  }

  @Test
  void jsonPrintsOneLogEventPerLine() throws Exception {
    TaskEvent line = events.stdout("hello");
    TaskEvent warning = events.stderr("careful");
    cli.scheduler.events.put(
        "t-5", List.of(events.state(0, TaskState.TASK_STATE_RUNNING, "started"), line, warning));

    CliHarness.Result result = cli.run("logs", "t-5", "-o", "json");

    assertThat(result.outLines()).hasSize(2);
    TaskEvent.Builder first = TaskEvent.newBuilder();
    JsonFormat.parser().merge(result.outLines().get(0), first);
    TaskEvent.Builder second = TaskEvent.newBuilder();
    JsonFormat.parser().merge(result.outLines().get(1), second);
    assertThat(List.of(first.build(), second.build())).containsExactly(line, warning);
    assertThat(result.err()).isEmpty();
  }

  @Test
  void followPrintsLinesAsTheyComeAndReturnsWhenTheTaskEnds() throws Exception {
    cli.scheduler.keepWatchOpen = true;
    cli.scheduler.events.put(
        "t-5",
        List.of(events.state(0, TaskState.TASK_STATE_RUNNING, "started"), events.stdout("early")));

    CliHarness.Running running = cli.start("logs", "-f", "t-5");

    StreamObserver<WatchTaskResponse> stream = cli.scheduler.liveWatch.get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> running.out().toString().contains("early"));
    assertThat(running.exitCode()).isNotDone();

    stream.onNext(WatchTaskResponse.newBuilder().setEvent(events.stdout("late")).build());
    stream.onNext(WatchTaskResponse.newBuilder().setEvent(events.stderr("late warning")).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> running.out().toString().contains("late"));
    assertThat(running.exitCode()).isNotDone();

    stream.onNext(
        WatchTaskResponse.newBuilder()
            .setEvent(
                events.ended(
                    3,
                    TaskState.TASK_STATE_SUCCEEDED,
                    "done",
                    TaskResult.newBuilder().setExitCode(0).build()))
            .build());
    stream.onCompleted();

    assertThat(running.exitCode().get(10, TimeUnit.SECONDS)).isZero();
    assertThat(running.out().toString().lines()).containsExactly("early", "late");
    assertThat(running.err().toString().lines()).containsExactly("late warning");
    assertThat(cli.scheduler.watchRequests.get(0).getAfterSequence()).isZero();
  }
}
