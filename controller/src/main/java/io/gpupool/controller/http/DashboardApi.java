package io.gpupool.controller.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.gpupool.controller.auth.Principal;
import io.gpupool.controller.auth.TokenRegistry;
import io.gpupool.controller.loop.NodeDirectory;
import io.gpupool.controller.store.Store;
import io.gpupool.controller.store.StoreException;
import io.gpupool.controller.store.StoredTask;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.ListTaskEventsResponse;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's read-only JSON API under {@code /api/v1/}, printing the gRPC API's messages with
 * {@link JsonFormat} so that the JSON is the proto3 JSON of the same calls:
 *
 * <ul>
 *   <li>{@code GET /api/v1/summary}: see {@link ClusterSummary}
 *   <li>{@code GET /api/v1/nodes[?history=true]}: a {@code ListNodesResponse}
 *   <li>{@code GET /api/v1/tasks[?state=pending&state=running][&limit=N]}: a {@code
 *       ListTasksResponse}, in submission order
 *   <li>{@code GET /api/v1/tasks/ID}: a {@code Task}
 *   <li>{@code GET /api/v1/tasks/ID/events[?after=SEQ]}: a {@code ListTaskEventsResponse}
 * </ul>
 *
 * <p>Authentication as in gRPC (see {@link HttpCallers}): users and viewers see their tenant's
 * tasks only, and a task of another tenant is 404 as a missing one. Errors are {@code
 * {"error":"..."}} with 400, 401, 403, 404, 405 or 503 (store failure). Thread-safe: it holds only
 * read-only views.
 */
public final class DashboardApi implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(DashboardApi.class);
  private static final String PREFIX = "/api/v1/";
  private static final int DEFAULT_TASKS = 500;
  private static final int MAX_TASKS = 2000;
  private static final int EVENT_PAGE = 1000;
  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private final NodeDirectory nodes;
  private final Store store;
  private final HttpCallers callers;

  /**
   * @param tokens the registry that authenticates callers; null when authentication is off
   */
  public DashboardApi(NodeDirectory nodes, Store store, TokenRegistry tokens) {
    this.nodes = nodes;
    this.store = store;
    this.callers = new HttpCallers(tokens);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status = 200;
      String body;
      try {
        if (!exchange.getRequestMethod().equals("GET")) {
          throw new ApiError(405, "the dashboard API is read-only: use GET");
        }
        Principal caller =
            callers.authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
        body = JSON.print(answer(exchange, caller));
      } catch (ApiError e) {
        status = e.status();
        body = error(e.getMessage());
      } catch (StoreException e) {
        log.warn("dashboard API: the store failed: {}", e.getMessage());
        status = 503;
        body = error("the controller's store is unavailable; retry shortly");
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private MessageOrBuilder answer(HttpExchange exchange, Principal caller) {
    String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
    Query query = new Query(exchange.getRequestURI().getRawQuery());
    String[] parts = path.split("/", -1);
    if (path.equals("summary")) {
      return ClusterSummary.of(
              nodes.list(),
              tasks(EnumSet.of(TaskState.TASK_STATE_PENDING), caller, MAX_TASKS).size(),
              tasks(EnumSet.of(TaskState.TASK_STATE_RUNNING), caller, MAX_TASKS).size())
          .toStruct();
    }
    if (path.equals("nodes")) {
      return ListNodesResponse.newBuilder().addAllNodes(nodes.list(query.flag("history"))).build();
    }
    if (path.equals("tasks")) {
      long limit = query.number("limit", DEFAULT_TASKS);
      if (limit < 1 || limit > MAX_TASKS) {
        throw new ApiError(400, "limit: must be between 1 and " + MAX_TASKS + ", got " + limit);
      }
      return ListTasksResponse.newBuilder()
          .addAllTasks(tasks(query.states(), caller, (int) limit))
          .build();
    }
    if (parts.length == 2 && parts[0].equals("tasks") && !parts[1].isEmpty()) {
      return task(parts[1], caller);
    }
    if (parts.length == 3 && parts[0].equals("tasks") && parts[2].equals("events")) {
      task(parts[1], caller);
      long after = query.number("after", 0);
      return ListTaskEventsResponse.newBuilder()
          .addAllEvents(store.listEvents(parts[1], after, EVENT_PAGE))
          .build();
    }
    throw new ApiError(
        404,
        "no such endpoint: "
            + PREFIX
            + path
            + "; try summary, nodes, tasks, tasks/ID or tasks/ID/events");
  }

  private List<Task> tasks(Set<TaskState> states, Principal caller, int limit) {
    return store.listTasks(states, caller.tenantScope(), 0, limit).stream()
        .map(StoredTask::task)
        .toList();
  }

  private Task task(String id, Principal caller) {
    return store
        .findTask(id)
        .filter(t -> caller.sees(t.getSpec()))
        .orElseThrow(() -> new ApiError(404, "task " + id + " not found"));
  }

  private static String error(String message) {
    try {
      return JSON.print(
          Struct.newBuilder()
              .putFields("error", Value.newBuilder().setStringValue(message).build())
              .build());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a Struct always prints", e);
    }
  }

  /** The query string's parameters. */
  private static final class Query {
    private final List<String[]> pairs = new ArrayList<>();

    Query(String raw) {
      if (raw == null) {
        return;
      }
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        pairs.add(
            new String[] {
              URLDecoder.decode(key, StandardCharsets.UTF_8),
              URLDecoder.decode(value, StandardCharsets.UTF_8)
            });
      }
    }

    List<String> all(String key) {
      return pairs.stream().filter(p -> p[0].equals(key)).map(p -> p[1]).toList();
    }

    boolean flag(String key) {
      return all(key).stream().anyMatch(v -> v.isEmpty() || v.equals("true") || v.equals("1"));
    }

    long number(String key, long defaultValue) {
      List<String> values = all(key);
      if (values.isEmpty()) {
        return defaultValue;
      }
      try {
        return Long.parseLong(values.get(values.size() - 1));
      } catch (NumberFormatException e) {
        throw new ApiError(400, key + ": must be a whole number");
      }
    }

    /** {@code state=pending} or {@code state=TASK_STATE_PENDING}, repeated or comma-separated. */
    Set<TaskState> states() {
      Set<TaskState> states = EnumSet.noneOf(TaskState.class);
      for (String value : all("state")) {
        for (String name : value.split(",")) {
          if (name.isBlank()) {
            continue;
          }
          String upper = name.strip().toUpperCase(Locale.ROOT);
          String full = upper.startsWith("TASK_STATE_") ? upper : "TASK_STATE_" + upper;
          try {
            TaskState state = TaskState.valueOf(full);
            if (state == TaskState.TASK_STATE_UNSPECIFIED || state == TaskState.UNRECOGNIZED) {
              throw new IllegalArgumentException();
            }
            states.add(state);
          } catch (IllegalArgumentException e) {
            throw new ApiError(
                400, "state: unknown state '" + name + "'; use e.g. pending,running");
          }
        }
      }
      return states;
    }
  }
}
