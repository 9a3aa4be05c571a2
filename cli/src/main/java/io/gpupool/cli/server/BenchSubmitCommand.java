package io.gpupool.cli.server;

import io.gpupool.cli.client.CommandFailedException;
import io.gpupool.cli.client.ControllerConnection;
import io.gpupool.cli.client.ControllerOptions;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool bench submit}: submits N command tasks to a running cluster with at most C submits
 * in flight, waits until every one is terminal (polling ListTasks for terminal tasks, not GetTask
 * per task) and reports throughput and submit-to-running latency ({@link SubmitFigures}). One
 * instance per execution; not thread-safe. Failures of the controller reach the CLI's error handler
 * as {@code StatusRuntimeException}, which prints one line.
 */
@Command(
    name = "submit",
    description = {
      "Submits --tasks command tasks to a running controller, --concurrency at a time, each with"
          + " its own request id, then waits until all are terminal.",
      "Reports submit_per_s (acknowledged submits per second over the submit phase), tasks_per_s"
          + " (terminal tasks per second, first task's create time to last task's end),"
          + " submit_to_running p50/p99 in"
          + " ms (RUNNING transition time minus the task's create_time, both from the controller's"
          + " clock) and the count of tasks per final state.",
      "A submit the controller's rate limit refuses (RESOURCE_EXHAUSTED) is retried with backoff"
          + " under the same request id; throttled counts those retries.",
    })
final class BenchSubmitCommand implements Callable<Integer> {
  private static final List<TaskState> TERMINAL =
      List.of(
          TaskState.TASK_STATE_SUCCEEDED,
          TaskState.TASK_STATE_FAILED,
          TaskState.TASK_STATE_CANCELLED);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  private static final int PAGE_SIZE = 1000;
  private static final Duration MIN_BACKOFF = Duration.ofMillis(20);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
  private static final int MAX_ATTEMPTS = 50;

  /** Submits the rate limit turned away and that were retried. */
  private final AtomicInteger throttled = new AtomicInteger();

  @Spec private CommandSpec spec;

  @Mixin private ControllerOptions controller;

  @Option(names = "--tasks", paramLabel = "N", required = true, description = "Tasks to submit.")
  int tasks;

  @Option(
      names = "--concurrency",
      paramLabel = "C",
      defaultValue = "16",
      description = "Submits in flight at most. Default: ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(
      names = "--gpus",
      paramLabel = "N",
      defaultValue = "1",
      description = "GPUs per task. Default: ${DEFAULT-VALUE}.")
  int gpus;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "600",
      description =
          "Give up waiting for terminal tasks after this long. Default: ${DEFAULT-VALUE}.")
  long timeoutSeconds;

  @Parameters(paramLabel = "CMD", arity = "1..*", description = "The command each task runs.")
  List<String> command;

  @Override
  public Integer call() throws InterruptedException {
    requireAtLeast("--tasks", tasks);
    requireAtLeast("--concurrency", concurrency);
    requireAtLeast("--gpus", gpus);
    requireAtLeast("--timeout", timeoutSeconds);
    Clock clock = controller.context().clock();
    try (ControllerConnection connection = controller.connect()) {
      TaskSpec taskSpec =
          TaskSpec.newBuilder()
              .setName("bench-submit")
              .setResources(Resources.newBuilder().setGpus(gpus))
              .setCommand(CommandWorkload.newBuilder().addAllArgv(command))
              .build();
      String run = UUID.randomUUID().toString();
      Instant firstSubmit = clock.instant();
      List<String> ids = submitAll(connection, taskSpec, run);
      Instant lastAck = clock.instant();
      Map<String, Task> done = awaitTerminal(connection, ids, clock);
      SubmitFigures figures =
          SubmitFigures.of(
              tasks, concurrency, throttled.get(), firstSubmit, lastAck, done.values());
      PrintWriter out = controller.out();
      out.print(controller.json() ? figures.toJson() + System.lineSeparator() : figures.toText());
      out.flush();
      return 0;
    }
  }

  private List<String> submitAll(ControllerConnection connection, TaskSpec taskSpec, String run)
      throws InterruptedException {
    String[] ids = new String[tasks];
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, tasks));
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < Math.min(concurrency, tasks); w++) {
        workers.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                    SubmitTaskRequest request =
                        SubmitTaskRequest.newBuilder()
                            .setSpec(taskSpec)
                            .setRequestId("bench-" + run + "-" + i)
                            .build();
                    ids[i] = submitOne(connection, request);
                  }
                  return null;
                }));
      }
      for (Future<?> worker : workers) {
        try {
          worker.get();
        } catch (ExecutionException e) {
          next.set(tasks); // stops the other workers after their current submit
          if (e.getCause() instanceof StatusRuntimeException status) {
            throw status;
          }
          throw new CommandFailedException("bench submit failed: " + e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return List.of(ids);
  }

  /**
   * Submits, retrying with backoff while the controller's per-token rate limit answers
   * RESOURCE_EXHAUSTED; the request id makes a retry safe. Other failures propagate.
   */
  private String submitOne(ControllerConnection connection, SubmitTaskRequest request)
      throws InterruptedException {
    long backoffMs = MIN_BACKOFF.toMillis();
    for (int attempt = 1; ; attempt++) {
      try {
        return connection.call().submitTask(request).getTask().getId();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.RESOURCE_EXHAUSTED || attempt >= MAX_ATTEMPTS) {
          throw e;
        }
        throttled.incrementAndGet();
        TimeUnit.MILLISECONDS.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
      }
    }
  }

  /** Polls the terminal tasks, page by page, until every submitted id is among them. */
  private Map<String, Task> awaitTerminal(
      ControllerConnection connection, List<String> ids, Clock clock) throws InterruptedException {
    Map<String, Task> done = new ConcurrentHashMap<>();
    Set<String> wanted = Set.copyOf(ids);
    Instant deadline = clock.instant().plusSeconds(timeoutSeconds);
    while (true) {
      String token = "";
      do {
        ListTasksResponse page =
            connection
                .call()
                .listTasks(
                    ListTasksRequest.newBuilder()
                        .addAllStates(TERMINAL)
                        .setPageSize(PAGE_SIZE)
                        .setPageToken(token)
                        .build());
        for (Task task : page.getTasksList()) {
          if (wanted.contains(task.getId())) {
            done.put(task.getId(), task);
          }
        }
        token = page.getNextPageToken();
      } while (!token.isEmpty());
      if (done.size() == wanted.size()) {
        return done;
      }
      if (clock.instant().isAfter(deadline)) {
        throw new CommandFailedException(
            "bench submit: only "
                + done.size()
                + " of "
                + wanted.size()
                + " tasks were terminal after --timeout "
                + timeoutSeconds
                + "s");
      }
      TimeUnit.MILLISECONDS.sleep(POLL_INTERVAL.toMillis());
    }
  }

  private void requireAtLeast(String flag, long value) {
    if (value < 1) {
      throw new ParameterException(
          spec.commandLine(), flag + " must be at least 1, but it is " + value);
    }
  }
}
