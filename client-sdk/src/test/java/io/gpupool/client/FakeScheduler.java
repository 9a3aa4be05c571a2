package io.gpupool.client;

import io.gpupool.proto.v1.CancelTaskRequest;
import io.gpupool.proto.v1.CancelTaskResponse;
import io.gpupool.proto.v1.ClearGpuQuarantineRequest;
import io.gpupool.proto.v1.ClearGpuQuarantineResponse;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.GetTaskResponse;
import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.SubmitTaskResponse;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.WatchTaskRequest;
import io.gpupool.proto.v1.WatchTaskResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * A scriptable {@code SchedulerService}: records every request, answers unary calls through
 * replaceable handlers (or with queued failures first), and replays per-task event histories on
 * {@code WatchTask}, optionally breaking streams with UNAVAILABLE.
 */
final class FakeScheduler extends SchedulerServiceGrpc.SchedulerServiceImplBase {
  final List<SubmitTaskRequest> submits = new CopyOnWriteArrayList<>();
  final List<GetTaskRequest> gets = new CopyOnWriteArrayList<>();
  final List<ListTasksRequest> lists = new CopyOnWriteArrayList<>();
  final List<CancelTaskRequest> cancels = new CopyOnWriteArrayList<>();
  final List<WatchTaskRequest> watches = new CopyOnWriteArrayList<>();
  final List<ListNodesRequest> nodeLists = new CopyOnWriteArrayList<>();
  final List<ClearGpuQuarantineRequest> quarantineClears = new CopyOnWriteArrayList<>();

  /** Statuses the next unary calls fail with, one per call, before any handler runs. */
  final Queue<Status> failures = new ConcurrentLinkedQueue<>();

  /** When set, unary calls are recorded and never answered. */
  volatile boolean hangUnaryCalls;

  volatile Function<SubmitTaskRequest, SubmitTaskResponse> onSubmit =
      request ->
          SubmitTaskResponse.newBuilder()
              .setTask(Protos.task("t-1", io.gpupool.proto.v1.TaskState.TASK_STATE_PENDING))
              .build();
  volatile Function<GetTaskRequest, GetTaskResponse> onGet =
      request -> {
        throw Status.NOT_FOUND.withDescription("no task " + request.getId()).asRuntimeException();
      };
  volatile Function<ListTasksRequest, ListTasksResponse> onList =
      request -> ListTasksResponse.getDefaultInstance();
  volatile Function<CancelTaskRequest, CancelTaskResponse> onCancel =
      request -> {
        throw Status.NOT_FOUND.withDescription("no task " + request.getId()).asRuntimeException();
      };
  volatile Function<ListNodesRequest, ListNodesResponse> onListNodes =
      request -> ListNodesResponse.getDefaultInstance();
  volatile Function<ClearGpuQuarantineRequest, ClearGpuQuarantineResponse> onClearQuarantine =
      request -> {
        throw Status.NOT_FOUND.withDescription("no node " + request.getNode()).asRuntimeException();
      };

  /** Each task's event history, which the default WatchTask handler replays. */
  final Map<String, List<TaskEvent>> history = new ConcurrentHashMap<>();

  /** Each WatchTask call takes the next number: it sends that many events, then UNAVAILABLE. */
  final Queue<Integer> breakAfter = new ConcurrentLinkedQueue<>();

  /** Whether a replay ends the stream after the history or keeps it open for live events. */
  volatile boolean completeAfterHistory = true;

  /** Ignore after_sequence and replay from the start, as a faulty server might. */
  volatile boolean resendFromStart;

  /** WatchTask calls the client cancelled. */
  final AtomicInteger cancelledWatches = new AtomicInteger();

  volatile BiConsumer<WatchTaskRequest, ServerCallStreamObserver<WatchTaskResponse>> onWatch =
      this::replay;

  @Override
  public void submitTask(SubmitTaskRequest request, StreamObserver<SubmitTaskResponse> response) {
    submits.add(request);
    answer(request, response, onSubmit);
  }

  @Override
  public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> response) {
    gets.add(request);
    answer(request, response, onGet);
  }

  @Override
  public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> response) {
    lists.add(request);
    answer(request, response, onList);
  }

  @Override
  public void cancelTask(CancelTaskRequest request, StreamObserver<CancelTaskResponse> response) {
    cancels.add(request);
    answer(request, response, onCancel);
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> response) {
    nodeLists.add(request);
    answer(request, response, onListNodes);
  }

  @Override
  public void clearGpuQuarantine(
      ClearGpuQuarantineRequest request, StreamObserver<ClearGpuQuarantineResponse> response) {
    quarantineClears.add(request);
    answer(request, response, onClearQuarantine);
  }

  @Override
  public void watchTask(WatchTaskRequest request, StreamObserver<WatchTaskResponse> response) {
    watches.add(request);
    ServerCallStreamObserver<WatchTaskResponse> call =
        (ServerCallStreamObserver<WatchTaskResponse>) response;
    call.setOnCancelHandler(cancelledWatches::incrementAndGet);
    onWatch.accept(request, call);
  }

  private <Q, R> void answer(Q request, StreamObserver<R> response, Function<Q, R> handler) {
    if (hangUnaryCalls) {
      return;
    }
    Status failure = failures.poll();
    if (failure != null) {
      response.onError(failure.asRuntimeException());
      return;
    }
    try {
      response.onNext(handler.apply(request));
      response.onCompleted();
    } catch (StatusRuntimeException e) {
      response.onError(e);
    }
  }

  private void replay(WatchTaskRequest request, ServerCallStreamObserver<WatchTaskResponse> call) {
    List<TaskEvent> events = history.get(request.getId());
    if (events == null) {
      call.onError(
          Status.NOT_FOUND.withDescription("no task " + request.getId()).asRuntimeException());
      return;
    }
    long after = resendFromStart ? 0 : request.getAfterSequence();
    Integer limit = breakAfter.poll();
    int sent = 0;
    for (TaskEvent event : events) {
      if (event.getSequence() <= after) {
        continue;
      }
      if (limit != null && sent == limit) {
        break;
      }
      call.onNext(WatchTaskResponse.newBuilder().setEvent(event).build());
      sent++;
    }
    if (limit != null) {
      call.onError(
          Status.UNAVAILABLE.withDescription("controller restarting").asRuntimeException());
    } else if (completeAfterHistory) {
      call.onCompleted();
    }
  }
}
