package io.gpupool.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A connection to a gpupool controller: submit GPU tasks, read and cancel them, list nodes and
 * clear GPU quarantines, and follow tasks through {@link TaskHandle}.
 *
 * <pre>{@code
 * try (GpuPoolClient client = GpuPoolClient.builder().target("localhost:7070").build()) {
 *   TaskHandle task = client.submit(TaskSpec.builder().command("nvidia-smi").build());
 *   TaskResult result = task.await(Duration.ofMinutes(5));
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> A client is thread-safe and meant to be shared: make one per controller and
 * process, and close it once, when the process no longer needs it. Blocking methods block the
 * calling thread; {@code *Async} methods never block, and their futures complete on the client's
 * gRPC threads, so do not block in stages you add to them (use the {@code *Async} stage methods
 * with your own executor for slow work).
 *
 * <p><b>Failures.</b> Every call fails with {@link GpuPoolException} carrying an {@link ErrorCode}:
 * blocking methods throw it, async futures complete exceptionally with it (unwrapped). A call fails
 * with {@link ErrorCode#DEADLINE_EXCEEDED} when it takes longer than {@link
 * GpuPoolClientBuilder#callTimeout}. Calls that fail with {@link ErrorCode#UNAVAILABLE} are retried
 * with backoff up to {@link GpuPoolClientBuilder#maxRetries} times within that timeout; all calls
 * here are safe to retry (a submit resends the same request id, so it never creates two tasks).
 * Methods of a closed client throw {@link IllegalStateException}.
 */
public interface GpuPoolClient extends AutoCloseable {

  /** Returns a builder for a client; only {@link GpuPoolClientBuilder#target} is required. */
  static GpuPoolClientBuilder builder() {
    return new GpuPoolClientBuilder();
  }

  /** Returns the options this client was built with. */
  GpuPoolClientOptions options();

  /**
   * Submits a task and returns once the controller has stored it.
   *
   * <p>The request carries the spec's {@link TaskSpec#requestId()}, or else a random one made once
   * for this call and resent on every retry, so the call creates at most one task.
   *
   * @param spec what to run
   * @return a handle on the new task (or on the task an earlier submit with the same request id
   *     created)
   * @throws GpuPoolException {@link ErrorCode#INVALID_ARGUMENT} naming the field the controller
   *     rejected, or another failure
   */
  TaskHandle submit(TaskSpec spec);

  /** Like {@link #submit}, without blocking. */
  CompletableFuture<TaskHandle> submitAsync(TaskSpec spec);

  /**
   * Returns a task.
   *
   * @param id the task id, e.g. {@code t-42}
   * @throws GpuPoolException {@link ErrorCode#NOT_FOUND} if there is no such task
   */
  Task getTask(String id);

  /** Like {@link #getTask}, without blocking. */
  CompletableFuture<Task> getTaskAsync(String id);

  /**
   * Returns one page of tasks, oldest first.
   *
   * @param query state filter and paging
   * @throws GpuPoolException {@link ErrorCode#INVALID_ARGUMENT} for a page token the controller did
   *     not issue, or another failure
   */
  TaskPage listTasks(TaskQuery query);

  /** Like {@link #listTasks}, without blocking. */
  CompletableFuture<TaskPage> listTasksAsync(TaskQuery query);

  /**
   * Cancels a task: a pending one at once, a running one by stopping its workload (SIGTERM, then
   * SIGKILL after its grace period).
   *
   * @param id the task id
   * @return the task after the cancel was recorded: {@link TaskState#CANCELLED}, or still running
   *     with {@link Task#cancelRequested()}; wait for the end with {@link TaskHandle#await}
   * @throws GpuPoolException {@link ErrorCode#NOT_FOUND} if there is no such task, {@link
   *     ErrorCode#FAILED_PRECONDITION} if it has already ended (which a retried cancel whose first
   *     attempt went through may also report)
   */
  Task cancel(String id);

  /** Like {@link #cancel}, without blocking. */
  CompletableFuture<Task> cancelAsync(String id);

  /** Returns all registered nodes and their GPUs, by name. */
  List<Node> listNodes();

  /** Like {@link #listNodes}, without blocking. */
  CompletableFuture<List<Node>> listNodesAsync();

  /**
   * Returns all registered nodes like {@link #listNodes}, with each GPU's recent samples in {@link
   * Gpu#history()} (the controller keeps a few minutes' worth).
   */
  List<Node> listNodesWithHistory();

  /** Like {@link #listNodesWithHistory}, without blocking. */
  CompletableFuture<List<Node>> listNodesWithHistoryAsync();

  /**
   * Ends a GPU's quarantine, so that it may get new work again. If its agent still reports it
   * unhealthy, the next sample quarantines it again.
   *
   * @param node the node's id or name
   * @param deviceIndex the GPU's index on the node
   * @return the node after the change
   * @throws GpuPoolException {@link ErrorCode#NOT_FOUND} for an unknown node or GPU, {@link
   *     ErrorCode#FAILED_PRECONDITION} when the GPU is not quarantined (which a retried call whose
   *     first attempt went through may also report)
   */
  Node clearGpuQuarantine(String node, int deviceIndex);

  /** Like {@link #clearGpuQuarantine}, without blocking. */
  CompletableFuture<Node> clearGpuQuarantineAsync(String node, int deviceIndex);

  /**
   * Returns a handle on an existing task, without asking the controller: an unknown id fails only
   * when the handle is used.
   *
   * @param id the task id
   */
  TaskHandle task(String id);

  /**
   * Closes the client: ends open watches ({@link ErrorCode#CANCELLED} to their listeners and
   * iterators), then shuts down the channel if the client created it, waiting a few seconds for
   * calls in flight. A channel given to {@link GpuPoolClientBuilder#channel} is left open.
   * Idempotent; never throws.
   */
  @Override
  void close();
}
