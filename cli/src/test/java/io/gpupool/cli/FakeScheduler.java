package io.gpupool.cli;

import io.gpupool.proto.v1.CancelTaskRequest;
import io.gpupool.proto.v1.CancelTaskResponse;
import io.gpupool.proto.v1.ClearGpuQuarantineRequest;
import io.gpupool.proto.v1.ClearGpuQuarantineResponse;
import io.gpupool.proto.v1.CordonNodeRequest;
import io.gpupool.proto.v1.CordonNodeResponse;
import io.gpupool.proto.v1.GetSchedulerConfigRequest;
import io.gpupool.proto.v1.GetSchedulerConfigResponse;
import io.gpupool.proto.v1.GetTaskRequest;
import io.gpupool.proto.v1.GetTaskResponse;
import io.gpupool.proto.v1.GetUsageRequest;
import io.gpupool.proto.v1.GetUsageResponse;
import io.gpupool.proto.v1.ListNodesRequest;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.ListTaskEventsRequest;
import io.gpupool.proto.v1.ListTaskEventsResponse;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.SchedulerConfig;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.SubmitTaskResponse;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.WatchTaskRequest;
import io.gpupool.proto.v1.WatchTaskResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted SchedulerService: tests put tasks, events and nodes in, and read back the requests the
 * CLI sent.
 */
final class FakeScheduler extends SchedulerServiceGrpc.SchedulerServiceImplBase {
  /** Tasks by id; GetTask and CancelTask answer from here, NOT_FOUND otherwise. */
  final Map<String, Task> tasks = new ConcurrentHashMap<>();

  /** Events by task id, for ListTaskEvents (paged by {@link #eventsPageSize}) and WatchTask. */
  final Map<String, List<TaskEvent>> events = new ConcurrentHashMap<>();

  /** Task listing, in order; ListTasks pages through it by page_size with index tokens. */
  final List<Task> listing = new CopyOnWriteArrayList<>();

  final List<SubmitTaskRequest> submits = new CopyOnWriteArrayList<>();
  final List<ListTasksRequest> listRequests = new CopyOnWriteArrayList<>();
  final List<ListTaskEventsRequest> eventRequests = new CopyOnWriteArrayList<>();
  final List<WatchTaskRequest> watchRequests = new CopyOnWriteArrayList<>();

  /** What SubmitTask answers (its id is what the CLI prints). */
  volatile Task submitted = Task.newBuilder().setId("t-1").build();

  /** What CancelTask answers, when set; else the stored task. */
  volatile Task cancelled;

  volatile ListNodesResponse nodes = ListNodesResponse.getDefaultInstance();

  volatile GetUsageResponse usage = GetUsageResponse.getDefaultInstance();

  final List<GetUsageRequest> usageRequests = new CopyOnWriteArrayList<>();

  volatile int eventsPageSize = 2;

  /** The most tasks one ListTasks page holds, whatever page_size asks for. */
  volatile int maxTasksPageSize = 1000;

  /**
   * When true, WatchTask sends the stored events and then leaves the stream open for the test,
   * which finds it in {@link #liveWatch}.
   */
  volatile boolean keepWatchOpen;

  final CompletableFuture<StreamObserver<WatchTaskResponse>> liveWatch = new CompletableFuture<>();

  @Override
  public void submitTask(SubmitTaskRequest request, StreamObserver<SubmitTaskResponse> response) {
    submits.add(request);
    tasks.putIfAbsent(submitted.getId(), submitted);
    response.onNext(SubmitTaskResponse.newBuilder().setTask(submitted).build());
    response.onCompleted();
  }

  @Override
  public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> response) {
    Task task = tasks.get(request.getId());
    if (task == null) {
      response.onError(notFound(request.getId()));
      return;
    }
    response.onNext(GetTaskResponse.newBuilder().setTask(task).build());
    response.onCompleted();
  }

  @Override
  public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> response) {
    listRequests.add(request);
    List<Task> matching =
        listing.stream()
            .filter(
                t ->
                    request.getStatesCount() == 0 || request.getStatesList().contains(t.getState()))
            .toList();
    int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
    int size = Math.min(request.getPageSize() == 0 ? 100 : request.getPageSize(), maxTasksPageSize);
    int to = Math.min(matching.size(), from + size);
    response.onNext(
        ListTasksResponse.newBuilder()
            .addAllTasks(matching.subList(from, to))
            .setNextPageToken(to < matching.size() ? Integer.toString(to) : "")
            .build());
    response.onCompleted();
  }

  @Override
  public void cancelTask(CancelTaskRequest request, StreamObserver<CancelTaskResponse> response) {
    Task task = cancelled != null ? cancelled : tasks.get(request.getId());
    if (task == null) {
      response.onError(notFound(request.getId()));
      return;
    }
    response.onNext(CancelTaskResponse.newBuilder().setTask(task).build());
    response.onCompleted();
  }

  @Override
  public void watchTask(WatchTaskRequest request, StreamObserver<WatchTaskResponse> response) {
    watchRequests.add(request);
    if (!tasks.containsKey(request.getId())) {
      response.onError(notFound(request.getId()));
      return;
    }
    for (TaskEvent event : events.getOrDefault(request.getId(), List.of())) {
      response.onNext(WatchTaskResponse.newBuilder().setEvent(event).build());
    }
    if (keepWatchOpen) {
      liveWatch.complete(response);
    } else {
      response.onCompleted();
    }
  }

  @Override
  public void listTaskEvents(
      ListTaskEventsRequest request, StreamObserver<ListTaskEventsResponse> response) {
    eventRequests.add(request);
    if (!tasks.containsKey(request.getId())) {
      response.onError(notFound(request.getId()));
      return;
    }
    List<TaskEvent> all = new ArrayList<>(events.getOrDefault(request.getId(), List.of()));
    int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
    int to = Math.min(all.size(), from + eventsPageSize);
    response.onNext(
        ListTaskEventsResponse.newBuilder()
            .addAllEvents(all.subList(from, to))
            .setNextPageToken(to < all.size() ? Integer.toString(to) : "")
            .build());
    response.onCompleted();
  }

  final List<ListNodesRequest> nodeRequests = new CopyOnWriteArrayList<>();

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> response) {
    nodeRequests.add(request);
    response.onNext(nodes);
    response.onCompleted();
  }

  final List<ClearGpuQuarantineRequest> quarantineClears = new CopyOnWriteArrayList<>();

  /** What ClearGpuQuarantine answers with; a failure status when set, the node otherwise. */
  volatile Status clearQuarantineFailure;

  volatile Node clearedNode = Node.getDefaultInstance();

  @Override
  public void clearGpuQuarantine(
      ClearGpuQuarantineRequest request, StreamObserver<ClearGpuQuarantineResponse> response) {
    quarantineClears.add(request);
    if (clearQuarantineFailure != null) {
      response.onError(clearQuarantineFailure.asRuntimeException());
      return;
    }
    response.onNext(ClearGpuQuarantineResponse.newBuilder().setNode(clearedNode).build());
    response.onCompleted();
  }

  /** Stores a task in one step (for GetTask, CancelTask, WatchTask). */
  void put(Task task) {
    tasks.put(task.getId(), task);
  }

  private static RuntimeException notFound(String id) {
    return Status.NOT_FOUND.withDescription("task " + id + " not found").asRuntimeException();
  }

  final List<CordonNodeRequest> cordons = new CopyOnWriteArrayList<>();

  volatile SchedulerConfig schedulerConfig = SchedulerConfig.getDefaultInstance();

  @Override
  public void cordonNode(CordonNodeRequest request, StreamObserver<CordonNodeResponse> response) {
    cordons.add(request);
    response.onNext(
        CordonNodeResponse.newBuilder()
            .setNode(
                Node.newBuilder().setName(request.getNode()).setCordoned(request.getCordoned()))
            .build());
    response.onCompleted();
  }

  @Override
  public void getSchedulerConfig(
      GetSchedulerConfigRequest request, StreamObserver<GetSchedulerConfigResponse> response) {
    response.onNext(GetSchedulerConfigResponse.newBuilder().setConfig(schedulerConfig).build());
    response.onCompleted();
  }

  @Override
  public void getUsage(GetUsageRequest request, StreamObserver<GetUsageResponse> response) {
    usageRequests.add(request);
    response.onNext(usage);
    response.onCompleted();
  }
}
