package io.gpupool.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.cli.GpuPoolCommand;
import io.gpupool.cli.client.ClientContext;
import io.gpupool.cli.client.SavedTokens;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.SubmitTaskResponse;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code gpupool bench submit} against an in-process scheduler that runs every task at once with
 * scripted transitions: PENDING at create, RUNNING 7 ms later, SUCCEEDED 10 ms after that; its very
 * first submit is refused by a (scripted) rate limit.
 */
@Timeout(60)
class BenchSubmitCommandTest {
  private final ScriptedScheduler scheduler = new ScriptedScheduler();
  private final String serverName = InProcessServerBuilder.generateName();
  private Server server;

  private record Result(int exitCode, String out, String err) {}

  @BeforeEach
  void startServer() throws Exception {
    server = InProcessServerBuilder.forName(serverName).addService(scheduler).build().start();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ClientContext context =
        new ClientContext(
            (target, credentials) -> InProcessChannelBuilder.forName(serverName).build(),
            Clock.systemUTC(),
            SavedTokens.none());
    int exitCode =
        new CommandLine(new GpuPoolCommand(context))
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  @Test
  void submitsEveryTaskWithItsOwnRequestIdRetriesTheRateLimitAndReportsTheFiguresAsJson()
      throws Exception {
    Result result =
        run(
            "bench",
            "submit",
            "--controller",
            "c:7070",
            "--tasks",
            "20",
            "--concurrency",
            "4",
            "--output",
            "json",
            "--",
            "true");

    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).hasSize(1);
    Struct.Builder parsed = Struct.newBuilder();
    JsonFormat.parser().merge(result.out(), parsed);
    Map<String, Value> fields = parsed.getFieldsMap();
    assertThat(fields.get("tasks").getNumberValue()).isEqualTo(20);
    assertThat(fields.get("succeeded").getNumberValue()).isEqualTo(20);
    assertThat(fields.get("failed").getNumberValue()).isZero();
    assertThat(fields.get("throttled").getNumberValue()).isEqualTo(1);
    assertThat(fields.get("cancelled").getNumberValue()).isZero();
    assertThat(fields.get("submit_per_s").getNumberValue()).isPositive();
    assertThat(fields.get("tasks_per_s").getNumberValue()).isPositive();
    assertThat(fields.get("submit_to_running_p50_ms").getNumberValue()).isEqualTo(7);
    assertThat(fields.get("submit_to_running_p99_ms").getNumberValue()).isEqualTo(7);
    assertThat(fields.get("submit_to_running_from").getStringValue()).isEqualTo("create_time");
    assertThat(scheduler.submits).hasSize(20);
    assertThat(scheduler.submits.stream().map(SubmitTaskRequest::getRequestId).distinct())
        .hasSize(20);
    assertThat(scheduler.submits)
        .allSatisfy(
            s -> assertThat(s.getSpec().getCommand().getArgvList()).containsExactly("true"));
    assertThat(scheduler.maxInFlight.get()).isBetween(1, 4);
  }

  @Test
  void tableOutputIsAlignedKeyValueLines() {
    Result result =
        run("bench", "submit", "--controller", "c:7070", "--tasks", "3", "--", "echo", "hi");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines().toList())
        .allMatch(line -> line.matches("[a-z0-9_]+ +\\S+"))
        .anyMatch(line -> line.matches("succeeded +3"));
  }

  @Test
  void aBadFlagIsAUsageErrorNamingIt() {
    Result result = run("bench", "submit", "--controller", "c:7070", "--tasks", "0", "--", "true");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).startsWith("--tasks must be at least 1, but it is 0");
    assertThat(scheduler.submits).isEmpty();
  }

  /** Answers submits with fresh ids and lists the (at once terminal) tasks, 7 per page. */
  private static final class ScriptedScheduler
      extends SchedulerServiceGrpc.SchedulerServiceImplBase {
    final List<SubmitTaskRequest> submits = new CopyOnWriteArrayList<>();
    final Map<String, Task> tasks = new ConcurrentHashMap<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger lastId = new AtomicInteger();
    final AtomicBoolean refusedOnce = new AtomicBoolean();

    @Override
    public void submitTask(SubmitTaskRequest request, StreamObserver<SubmitTaskResponse> response) {
      if (refusedOnce.compareAndSet(false, true)) {
        response.onError(
            Status.RESOURCE_EXHAUSTED.withDescription("rate limit").asRuntimeException());
        return;
      }
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      submits.add(request);
      int id = lastId.incrementAndGet();
      long created = 1_000_000L + id;
      Task task =
          Task.newBuilder()
              .setId("t-" + id)
              .setSpec(request.getSpec())
              .setRequestId(request.getRequestId())
              .setState(TaskState.TASK_STATE_SUCCEEDED)
              .setCreateTime(at(created, 0))
              .addTransitions(transition(TaskState.TASK_STATE_PENDING, created, 0))
              .addTransitions(transition(TaskState.TASK_STATE_RUNNING, created, 7))
              .addTransitions(transition(TaskState.TASK_STATE_SUCCEEDED, created, 17))
              .build();
      tasks.put(task.getId(), task);
      inFlight.decrementAndGet();
      response.onNext(SubmitTaskResponse.newBuilder().setTask(task).build());
      response.onCompleted();
    }

    @Override
    public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> response) {
      List<Task> all =
          tasks.values().stream()
              .filter(t -> request.getStatesList().contains(t.getState()))
              .sorted((a, b) -> a.getId().compareTo(b.getId()))
              .toList();
      int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
      int to = Math.min(all.size(), from + 7);
      response.onNext(
          ListTasksResponse.newBuilder()
              .addAllTasks(all.subList(from, to))
              .setNextPageToken(to < all.size() ? Integer.toString(to) : "")
              .build());
      response.onCompleted();
    }

    private static Timestamp at(long seconds, long millis) {
      return Timestamp.newBuilder()
          .setSeconds(seconds)
          .setNanos((int) (millis * 1_000_000))
          .build();
    }

    private static StateTransition transition(TaskState state, long seconds, long millis) {
      return StateTransition.newBuilder().setState(state).setTime(at(seconds, millis)).build();
    }
  }
}
