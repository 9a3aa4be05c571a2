package io.gpupool.client.impl;

import io.gpupool.client.ErrorCode;
import io.gpupool.client.GpuPoolException;
import io.gpupool.client.Task;
import io.gpupool.client.TaskEvent;
import io.gpupool.client.TaskEventListener;
import io.gpupool.client.TaskEventStream;
import io.gpupool.client.TaskHandle;
import io.gpupool.client.TaskResult;
import io.gpupool.client.TaskWatcher;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link TaskHandle} on a {@link GrpcGpuPoolClient}: the task id and the client. Immutable. */
final class GrpcTaskHandle implements TaskHandle {
  private final GrpcGpuPoolClient client;
  private final String id;

  GrpcTaskHandle(GrpcGpuPoolClient client, String id) {
    this.client = client;
    this.id = id;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Task get() {
    return client.getTask(id);
  }

  @Override
  public Task cancel() {
    return client.cancel(id);
  }

  @Override
  public TaskEventStream events(long afterSequence) {
    return client.openEvents(id, afterSequence);
  }

  @Override
  public TaskWatcher watch(long afterSequence, TaskEventListener listener) {
    return client.openWatch(id, afterSequence, listener);
  }

  @Override
  public TaskResult await(Duration timeout) {
    CompletableFuture<TaskResult> result = awaitAsync();
    try {
      return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      result.cancel(false);
      throw new GpuPoolException(
          ErrorCode.DEADLINE_EXCEEDED, "task " + id + " did not end within " + timeout, e);
    } catch (ExecutionException e) {
      throw ErrorMapper.forCaller(e.getCause());
    } catch (InterruptedException e) {
      result.cancel(false);
      Thread.currentThread().interrupt();
      throw new GpuPoolException(
          ErrorCode.CANCELLED, "interrupted while waiting for task " + id + " to end", e);
    }
  }

  @Override
  public CompletableFuture<TaskResult> awaitAsync() {
    CompletableFuture<TaskResult> result = new CompletableFuture<>();
    // Look first: a task that has ended needs no watch (and no replay of its history).
    CompletableFuture<Task> first = client.getTaskAsync(id);
    result.whenComplete((value, failure) -> first.cancel(false));
    first.whenComplete(
        (task, failure) -> {
          if (failure != null) {
            result.completeExceptionally(ErrorMapper.map(failure));
          } else if (task.isTerminal()) {
            result.complete(toResult(task));
          } else {
            watchUntilEnd(result);
          }
        });
    return result;
  }

  private void watchUntilEnd(CompletableFuture<TaskResult> result) {
    if (result.isDone()) {
      return;
    }
    TaskWatcher watcher;
    try {
      watcher = watch(new EndListener(result));
    } catch (IllegalStateException closed) {
      result.completeExceptionally(
          new GpuPoolException(ErrorCode.CANCELLED, "the client was closed", closed));
      return;
    }
    result.whenComplete((value, failure) -> watcher.close());
  }

  private static TaskResult toResult(Task task) {
    return new TaskResult(task.state(), task.exitCode(), task.resultMessage(), task);
  }

  /** Waits for the end of the watch, then reads the final task. */
  private final class EndListener implements TaskEventListener {
    private final CompletableFuture<TaskResult> result;

    EndListener(CompletableFuture<TaskResult> result) {
      this.result = result;
    }

    @Override
    public void onNext(TaskEvent event) {
      // Only the end matters here.
    }

    @Override
    public void onError(GpuPoolException error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onCompleted() {
      CompletableFuture<Task> last = client.getTaskAsync(id);
      result.whenComplete((value, failure) -> last.cancel(false));
      last.whenComplete(
          (task, failure) -> {
            if (failure != null) {
              result.completeExceptionally(ErrorMapper.map(failure));
            } else if (task.isTerminal()) {
              result.complete(toResult(task));
            } else {
              result.completeExceptionally(
                  new GpuPoolException(
                      ErrorCode.INTERNAL,
                      "the controller ended the watch of task "
                          + id
                          + " while the task is "
                          + task.state()));
            }
          });
    }
  }

  @Override
  public String toString() {
    return "TaskHandle[" + id + "]";
  }
}
