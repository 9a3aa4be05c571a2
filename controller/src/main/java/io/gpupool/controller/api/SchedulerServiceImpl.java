package io.gpupool.controller.api;

import io.gpupool.controller.SchedulerConfigs;
import io.gpupool.controller.auth.Principal;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.loop.LoopEvent;
import io.gpupool.controller.loop.NodeDirectory;
import io.gpupool.controller.loop.SchedulerLoop;
import io.gpupool.controller.state.Timestamps;
import io.gpupool.controller.store.Store;
import io.gpupool.controller.store.StoredTask;
import io.gpupool.controller.watch.TaskEventBus;
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
import io.gpupool.proto.v1.TaskState;
import io.gpupool.proto.v1.UsageGrouping;
import io.gpupool.proto.v1.WatchTaskRequest;
import io.gpupool.proto.v1.WatchTaskResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The client API. Writes go through the scheduling loop and are answered once durable; reads come
 * from the store (tasks, events) or the node directory (nodes, with live telemetry).
 *
 * <p>Tasks are scoped to the caller's tenant ({@link Principal#current()}): a user or viewer sees
 * only its tenant's tasks, another tenant's task is NOT_FOUND exactly as a missing one, and a user
 * submits for its own tenant only. Admins see and act on every tenant's.
 */
public final class SchedulerServiceImpl extends SchedulerServiceGrpc.SchedulerServiceImplBase {
  static final int DEFAULT_TASK_PAGE = 100;
  static final int MAX_TASK_PAGE = 1000;
  static final int DEFAULT_EVENT_PAGE = 1000;
  static final int MAX_EVENT_PAGE = 10_000;
  static final int MAX_WATCH_BACKLOG = 10_000;
  static final int DEFAULT_TOP_WASTEFUL = 10;
  static final int MAX_TOP_WASTEFUL = 100;
  private static final int USAGE_SCAN_PAGE = 1000;

  private final SchedulerLoop loop;
  private final Store store;
  private final TaskEventBus bus;
  private final NodeDirectory nodes;
  private final SchedulerConfig schedulerConfig;
  private final int watchBacklog;

  public SchedulerServiceImpl(
      SchedulerLoop loop,
      Store store,
      TaskEventBus bus,
      NodeDirectory nodes,
      SchedulerConfig schedulerConfig) {
    this(loop, store, bus, nodes, schedulerConfig, MAX_WATCH_BACKLOG);
  }

  /** For tests: a service whose watchers fall behind after {@code watchBacklog} queued events. */
  SchedulerServiceImpl(
      SchedulerLoop loop,
      Store store,
      TaskEventBus bus,
      NodeDirectory nodes,
      SchedulerConfig schedulerConfig,
      int watchBacklog) {
    this.loop = loop;
    this.store = store;
    this.bus = bus;
    this.nodes = nodes;
    this.schedulerConfig = schedulerConfig;
    this.watchBacklog = watchBacklog;
  }

  @Override
  public void submitTask(SubmitTaskRequest request, StreamObserver<SubmitTaskResponse> out) {
    Principal caller = Principal.current();
    SubmitTaskRequest submit;
    try {
      SubmitValidator.validate(request);
      submit = TenantScope.submitAs(caller, request);
      if (!caller.isAdmin() && !submit.getRequestId().isEmpty()) {
        store
            .findTaskByRequestId(submit.getRequestId())
            .ifPresent(task -> TenantScope.requireOwnRequestId(caller, task, submit));
      }
    } catch (RuntimeException e) {
      out.onError(StatusMapper.toStatus(e));
      return;
    }
    CompletableFuture<List<Task>> reply = new CompletableFuture<>();
    loop.offer(
        new LoopEvent.Submit(submit.getSpec(), submit.getRequestId(), caller.tokenId(), reply));
    Rpc.answerLater(
        out,
        reply,
        tasks -> {
          // Another tenant's submit with this request id may have raced ours into the loop.
          TenantScope.requireOwnRequestId(caller, tasks.get(0), submit);
          SubmitTaskResponse.Builder response =
              SubmitTaskResponse.newBuilder().setTask(tasks.get(0));
          if (tasks.size() > 1) {
            response.addAllGangTasks(tasks);
          }
          return response.build();
        });
  }

  @Override
  public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> out) {
    Rpc.answer(
        out,
        () -> {
          requireId(request, request.getId());
          return GetTaskResponse.newBuilder()
              .setTask(findTask(request.getId(), Principal.current()))
              .build();
        });
  }

  @Override
  public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> out) {
    Rpc.answer(
        out,
        () -> {
          Violations v = Violations.of(request);
          int pageSize = pageSize(request.getPageSize(), DEFAULT_TASK_PAGE, MAX_TASK_PAGE, v);
          Set<TaskState> states = EnumSet.noneOf(TaskState.class);
          for (TaskState state : request.getStatesList()) {
            v.check(
                state != TaskState.TASK_STATE_UNSPECIFIED && state != TaskState.UNRECOGNIZED,
                "states",
                "must be a known state such as TASK_STATE_RUNNING");
            states.add(state);
          }
          v.throwIfAny();
          long after = PageTokens.decode(request.getPageToken());
          List<StoredTask> page =
              store.listTasks(states, Principal.current().tenantScope(), after, pageSize + 1);
          ListTasksResponse.Builder response = ListTasksResponse.newBuilder();
          page.stream().limit(pageSize).forEach(t -> response.addTasks(t.task()));
          if (page.size() > pageSize) {
            response.setNextPageToken(PageTokens.encode(page.get(pageSize - 1).sequence()));
          }
          return response.build();
        });
  }

  @Override
  public void cancelTask(CancelTaskRequest request, StreamObserver<CancelTaskResponse> out) {
    try {
      requireId(request, request.getId());
      Principal caller = Principal.current();
      if (!caller.isAdmin()) {
        findTask(request.getId(), caller);
      }
    } catch (RuntimeException e) {
      out.onError(StatusMapper.toStatus(e));
      return;
    }
    CompletableFuture<Task> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Cancel(request.getId(), reply));
    Rpc.answerLater(out, reply, task -> CancelTaskResponse.newBuilder().setTask(task).build());
  }

  @Override
  public void watchTask(WatchTaskRequest request, StreamObserver<WatchTaskResponse> out) {
    try {
      requireId(request, request.getId());
      if (request.getAfterSequence() < 0) {
        throw ControllerException.invalid("after_sequence: must not be negative");
      }
      findTask(request.getId(), Principal.current());
      new TaskWatch(
              request.getId(),
              request.getAfterSequence(),
              (ServerCallStreamObserver<WatchTaskResponse>) out,
              store,
              bus,
              watchBacklog)
          .start();
    } catch (RuntimeException e) {
      out.onError(StatusMapper.toStatus(e));
    }
  }

  @Override
  public void listTaskEvents(
      ListTaskEventsRequest request, StreamObserver<ListTaskEventsResponse> out) {
    Rpc.answer(
        out,
        () -> {
          Violations v = Violations.of(request);
          v.id(request.getId(), "id");
          int pageSize = pageSize(request.getPageSize(), DEFAULT_EVENT_PAGE, MAX_EVENT_PAGE, v);
          v.throwIfAny();
          long after = PageTokens.decode(request.getPageToken());
          findTask(request.getId(), Principal.current());
          List<TaskEvent> events = store.listEvents(request.getId(), after, pageSize);
          ListTaskEventsResponse.Builder response =
              ListTaskEventsResponse.newBuilder().addAllEvents(events);
          if (events.size() == pageSize) {
            response.setNextPageToken(
                PageTokens.encode(events.get(events.size() - 1).getSequence()));
          }
          return response.build();
        });
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
    Rpc.answer(
        out,
        () -> {
          Violations v = Violations.of(request);
          v.throwIfAny();
          return ListNodesResponse.newBuilder()
              .addAllNodes(nodes.list(request.getIncludeHistory()))
              .build();
        });
  }

  @Override
  public void cordonNode(CordonNodeRequest request, StreamObserver<CordonNodeResponse> out) {
    try {
      Violations v = Violations.of(request);
      v.check(!request.getNode().isEmpty(), "node", "required (node id or name)");
      v.throwIfAny();
    } catch (ControllerException e) {
      out.onError(StatusMapper.toStatus(e));
      return;
    }
    CompletableFuture<Node> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.Cordon(request.getNode(), request.getCordoned(), reply));
    Rpc.answerLater(out, reply, node -> CordonNodeResponse.newBuilder().setNode(node).build());
  }

  @Override
  public void clearGpuQuarantine(
      ClearGpuQuarantineRequest request, StreamObserver<ClearGpuQuarantineResponse> out) {
    try {
      Violations v = Violations.of(request);
      v.check(!request.getNode().isEmpty(), "node", "required (node id or name)");
      v.check(
          request.getDeviceIndex() >= 0,
          "device_index",
          "must not be negative, got " + request.getDeviceIndex());
      v.throwIfAny();
    } catch (ControllerException e) {
      out.onError(StatusMapper.toStatus(e));
      return;
    }
    CompletableFuture<Node> reply = new CompletableFuture<>();
    loop.offer(new LoopEvent.ClearQuarantine(request.getNode(), request.getDeviceIndex(), reply));
    Rpc.answerLater(
        out, reply, node -> ClearGpuQuarantineResponse.newBuilder().setNode(node).build());
  }

  @Override
  public void getSchedulerConfig(
      GetSchedulerConfigRequest request, StreamObserver<GetSchedulerConfigResponse> out) {
    Rpc.answer(
        out,
        () -> {
          Violations v = Violations.of(request);
          v.throwIfAny();
          return GetSchedulerConfigResponse.newBuilder().setConfig(schedulerConfig).build();
        });
  }

  /**
   * Reads every stored task of the caller's scope (admins: all tenants) and sums those that ran in
   * the period; see {@link UsageReport} for how tasks straddling the period's edges count.
   */
  @Override
  public void getUsage(GetUsageRequest request, StreamObserver<GetUsageResponse> out) {
    Rpc.answer(
        out,
        () -> {
          Violations v = Violations.of(request);
          Instant now = loop.clock().instant();
          v.check(request.hasSince(), "since", "is required, e.g. 7 days ago");
          Instant since = request.hasSince() ? Timestamps.toInstant(request.getSince()) : now;
          Instant until = request.hasUntil() ? Timestamps.toInstant(request.getUntil()) : now;
          if (request.hasUntil()) {
            v.check(
                !request.hasSince() || since.isBefore(until),
                "until",
                "must be after since (" + since + "), got " + until);
          } else {
            v.check(
                !request.hasSince() || since.isBefore(now),
                "since",
                "must be in the past (now is " + now + "), got " + since);
          }
          v.check(
              request.getGroupBy() != UsageGrouping.UNRECOGNIZED,
              "group_by",
              "must be USAGE_GROUPING_TENANT, USAGE_GROUPING_USER or USAGE_GROUPING_GPU_MODEL");
          v.check(
              request.getTopWasteful() >= 0 && request.getTopWasteful() <= MAX_TOP_WASTEFUL,
              "top_wasteful",
              "must be 0 to " + MAX_TOP_WASTEFUL + ", got " + request.getTopWasteful());
          v.throwIfAny();
          UsageReport report = new UsageReport(since, until, now, request.getGroupBy());
          String tenant = Principal.current().tenantScope();
          long after = 0;
          List<StoredTask> page;
          do {
            page = store.listTasks(Set.of(), tenant, after, USAGE_SCAN_PAGE);
            page.forEach(t -> report.add(t.task()));
            after = page.isEmpty() ? after : page.get(page.size() - 1).sequence();
          } while (page.size() == USAGE_SCAN_PAGE);
          int top = request.getTopWasteful() == 0 ? DEFAULT_TOP_WASTEFUL : request.getTopWasteful();
          return report.build(top, SchedulerConfigs.idleUtilizationPercent(schedulerConfig));
        });
  }

  /** The task, if the caller may see it; NOT_FOUND alike for a missing and a hidden one. */
  private Task findTask(String id, Principal caller) {
    return store
        .findTask(id)
        .filter(task -> caller.sees(task.getSpec()))
        .orElseThrow(() -> ControllerException.notFound("task " + id + " not found"));
  }

  private static void requireId(com.google.protobuf.Message request, String id) {
    Violations v = Violations.of(request);
    v.id(id, "id");
    v.throwIfAny();
  }

  private static int pageSize(int requested, int defaultSize, int max, Violations v) {
    v.check(
        requested >= 0 && requested <= max,
        "page_size",
        "must be between 0 and " + max + ", got " + requested);
    return requested == 0 ? defaultSize : Math.min(Math.max(requested, 1), max);
  }
}
