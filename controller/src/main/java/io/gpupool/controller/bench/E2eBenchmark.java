package io.gpupool.controller.bench;

import io.gpupool.controller.Controller;
import io.gpupool.controller.ControllerConfig;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SchedulerServiceGrpc.SchedulerServiceStub;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.SubmitTaskResponse;
import io.gpupool.proto.v1.TaskSpec;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times durable submits through the whole controller: starts a real {@link Controller} on loopback
 * (no agents, so every task stays pending), opens one plaintext gRPC channel per client and sends
 * {@code SubmitTask} calls (with authentication on, each carrying an admin token the benchmark
 * creates, and going through the per-token rate limiter, set too high to bite, and the audit log),
 * each client keeping at most {@link E2eBenchConfig#inFlight()} outstanding. The controller answers
 * a submit only after the scheduling loop's pass committed it, so every response counted is a
 * durable task. A warm-up through the same channels goes first and is not timed. Afterwards the
 * tasks are counted through {@code ListTasks}; a run whose count is off by even one fails instead
 * of reporting a rate.
 *
 * <p>Stateless; each call starts and closes its own controller (H2 in a temporary data dir that is
 * deleted afterwards, or the given database, which keeps the tasks). Blocks the calling thread for
 * the run; uses one thread per client.
 */
public final class E2eBenchmark {
  private static final Logger log = LoggerFactory.getLogger(E2eBenchmark.class);

  /** A submit (or a ListTasks page) that takes longer fails the run rather than hanging it. */
  private static final long CALL_DEADLINE_SECONDS = 60;

  private static final int LIST_PAGE = 1000;

  /** The benchmark's one token sends far more than a real client may; its limiter still runs. */
  private static final int UNLIMITED_RATE = 100_000_000;

  /**
   * Runs the warm-up, then the timed submits, then checks the count.
   *
   * @throws IOException if the controller cannot start (data dir, port)
   * @throws IllegalStateException if a submit failed or the store holds another number of tasks
   *     than were acknowledged
   * @throws InterruptedException if interrupted while submits are in flight
   */
  public E2eBenchResult run(E2eBenchConfig config) throws IOException, InterruptedException {
    Path dataDir = Files.createTempDirectory("gpupool-bench-e2e");
    try {
      ControllerConfig.Builder controllerConfig =
          ControllerConfig.builder()
              .host("127.0.0.1")
              .grpcPort(0)
              .httpPort(-1)
              .dataDir(dataDir)
              .joinToken(UUID.randomUUID().toString())
              .insecure(true) // loopback only: the hollow agents are in this JVM
              .authentication(config.authentication())
              .rateLimit(UNLIMITED_RATE);
      if (config.storeUrl() != null) {
        controllerConfig.store(config.storeUrl(), config.storeUser(), config.storePassword());
      }
      try (Controller controller = Controller.start(controllerConfig.build())) {
        CallCredentials token =
            config.authentication()
                ? new BearerToken(controller.createToken(Role.ROLE_ADMIN, "", "bench e2e"))
                : null;
        return run(config, controller.grpcPort(), token);
      }
    } finally {
      deleteRecursively(dataDir);
    }
  }

  private E2eBenchResult run(E2eBenchConfig config, int port, CallCredentials token)
      throws InterruptedException {
    List<ManagedChannel> channels = new ArrayList<>();
    try {
      for (int c = 0; c < config.clients(); c++) {
        channels.add(
            ManagedChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .directExecutor() // the callbacks only record a time and release a permit
                .build());
      }
      long before = countTasks(channels.get(0), token);
      String run = UUID.randomUUID().toString();
      submitAll(channels, token, config, config.warmupTasks(), "bench-" + run + "-warmup-", null);
      long[] latencies = new long[config.tasks()];
      long started = System.nanoTime();
      submitAll(channels, token, config, config.tasks(), "bench-" + run + "-", latencies);
      long elapsed = System.nanoTime() - started;
      long stored = countTasks(channels.get(0), token) - before;
      long expected = (long) config.tasks() + config.warmupTasks();
      if (stored != expected) {
        throw new IllegalStateException(
            "submits were lost: "
                + expected
                + " acknowledged, but the store holds "
                + stored
                + " new tasks");
      }
      Arrays.sort(latencies);
      E2eBenchResult result =
          new E2eBenchResult(
              config,
              elapsed,
              DecisionRecorder.percentile(latencies, 50),
              DecisionRecorder.percentile(latencies, 99),
              latencies[latencies.length - 1],
              stored);
      log.info("e2e benchmark: {}", result.toJson());
      return result;
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow();
      }
      for (ManagedChannel channel : channels) {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Sends {@code count} submits, client {@code c} taking every {@code clients}-th one, and returns
   * when every one was answered. Records each submit's latency at its index when {@code latencies}
   * is not null.
   */
  private static void submitAll(
      List<ManagedChannel> channels,
      CallCredentials token,
      E2eBenchConfig config,
      int count,
      String requestIdPrefix,
      long[] latencies)
      throws InterruptedException {
    if (count == 0) {
      return;
    }
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    AtomicLong failures = new AtomicLong();
    ExecutorService clients = Executors.newFixedThreadPool(channels.size());
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < channels.size(); c++) {
        int client = c;
        SchedulerServiceStub stub =
            SchedulerServiceGrpc.newStub(channels.get(c)).withCallCredentials(token);
        done.add(
            clients.submit(
                () -> {
                  submitShare(
                      stub,
                      client,
                      channels.size(),
                      count,
                      config.inFlight(),
                      requestIdPrefix,
                      latencies,
                      firstFailure,
                      failures);
                  return null;
                }));
      }
      for (Future<?> client : done) {
        client.get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("a benchmark client failed", e.getCause());
    } finally {
      clients.shutdownNow();
    }
    Throwable failure = firstFailure.get();
    if (failure != null) {
      throw new IllegalStateException(
          failures.get() + " of " + count + " submits failed; the first: " + failure, failure);
    }
  }

  private static void submitShare(
      SchedulerServiceStub stub,
      int client,
      int clients,
      int count,
      int inFlight,
      String requestIdPrefix,
      long[] latencies,
      AtomicReference<Throwable> firstFailure,
      AtomicLong failures)
      throws InterruptedException {
    Semaphore permits = new Semaphore(inFlight);
    for (int i = client; i < count && firstFailure.get() == null; i += clients) {
      permits.acquire();
      int index = i;
      long sent = System.nanoTime();
      stub.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
          .submitTask(
              request(requestIdPrefix + i),
              new StreamObserver<SubmitTaskResponse>() {
                @Override
                public void onNext(SubmitTaskResponse response) {
                  if (latencies != null) {
                    latencies[index] = System.nanoTime() - sent;
                  }
                }

                @Override
                public void onError(Throwable t) {
                  failures.incrementAndGet();
                  firstFailure.compareAndSet(null, t);
                  permits.release();
                }

                @Override
                public void onCompleted() {
                  permits.release();
                }
              });
    }
    permits.acquire(inFlight); // every submit of this client was answered
  }

  private static SubmitTaskRequest request(String requestId) {
    return SubmitTaskRequest.newBuilder()
        .setRequestId(requestId)
        .setSpec(
            TaskSpec.newBuilder()
                .setName("bench-e2e")
                .setResources(Resources.newBuilder().setGpus(1))
                .setCommand(CommandWorkload.newBuilder().addArgv("true")))
        .build();
  }

  private static long countTasks(ManagedChannel channel, CallCredentials credentials) {
    SchedulerServiceGrpc.SchedulerServiceBlockingStub stub =
        SchedulerServiceGrpc.newBlockingStub(channel).withCallCredentials(credentials);
    long count = 0;
    String token = "";
    do {
      ListTasksResponse page =
          stub.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
              .listTasks(
                  ListTasksRequest.newBuilder().setPageSize(LIST_PAGE).setPageToken(token).build());
      count += page.getTasksCount();
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return count;
  }

  /** Sends {@code authorization: Bearer <secret>} with every call. */
  private static final class BearerToken extends CallCredentials {
    private final Metadata metadata = new Metadata();

    BearerToken(String secret) {
      metadata.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + secret);
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      applier.apply(metadata);
    }
  }

  /** Best effort: a temporary dir left behind must not hide the run's result or failure. */
  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("could not delete the benchmark's data dir {}: {}", dir, e.toString());
    }
  }
}
