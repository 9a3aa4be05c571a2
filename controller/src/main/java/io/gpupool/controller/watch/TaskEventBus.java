package io.gpupool.controller.watch;

import io.gpupool.proto.v1.TaskEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Delivers each task's events, as they are committed, to the subscribers of that task.
 *
 * <p>Thread-safe. Subscribers are called on the publishing thread (the scheduling loop), so they
 * must only hand the event on, never block.
 */
public final class TaskEventBus {
  private final Map<String, List<Consumer<TaskEvent>>> subscribers = new ConcurrentHashMap<>();

  /** Subscribes to a task's events from now on; close the returned handle to stop. */
  public AutoCloseable subscribe(String taskId, Consumer<TaskEvent> subscriber) {
    subscribers.computeIfAbsent(taskId, id -> new CopyOnWriteArrayList<>()).add(subscriber);
    return () ->
        subscribers.computeIfPresent(
            taskId,
            (id, list) -> {
              list.remove(subscriber);
              return list.isEmpty() ? null : list;
            });
  }

  /** Hands committed events to their subscribers, in order. */
  public void publish(List<TaskEvent> events) {
    for (TaskEvent event : events) {
      List<Consumer<TaskEvent>> list = subscribers.get(event.getTaskId());
      if (list != null) {
        for (Consumer<TaskEvent> subscriber : list) {
          subscriber.accept(event);
        }
      }
    }
  }
}
