package io.gpupool.controller.api;

import io.gpupool.controller.limits.Limits;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.Progress;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskResult;
import io.gpupool.proto.v1.TaskUpdate;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks what agents send against {@link Limits}. A registration, hello or heartbeat that breaks a
 * limit is refused (INVALID_ARGUMENT naming the field; on the Connect stream that ends the stream);
 * a task update is never refused, since the agent would resend it forever, but its free text is cut
 * to size and marked ({@link #trim}). Log lines are limited by the loop, per task.
 *
 * <p>Stateless; thread-safe.
 */
final class AgentValidator {
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private AgentValidator() {}

  /** Throws INVALID_ARGUMENT naming every offending field of a registration. */
  static void register(RegisterRequest request) {
    Violations v = Violations.of(request);
    v.check(
        NODE_ID.matcher(request.getNodeId()).matches(),
        "node_id",
        "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    v.check(!request.getNodeName().isBlank(), "node_name", "required");
    v.text(request.getNodeName(), "node_name", Limits.MAX_NAME_CHARS);
    v.text(request.getAgentVersion(), "agent_version", Limits.MAX_VERSION_CHARS);
    v.text(request.getDriverVersion(), "driver_version", Limits.MAX_VERSION_CHARS);
    v.text(request.getCudaDriverVersion(), "cuda_driver_version", Limits.MAX_VERSION_CHARS);
    v.labels(request.getLabelsMap(), "labels");
    v.check(
        request.getDevicesCount() <= Limits.MAX_GPUS,
        "devices",
        "at most " + Limits.MAX_GPUS + " per node, has " + request.getDevicesCount());
    Set<Integer> indices = new HashSet<>();
    for (int i = 0; i < Math.min(request.getDevicesCount(), Limits.MAX_GPUS); i++) {
      device(request.getDevices(i), "devices[" + i + "]", indices, v);
    }
    v.throwIfAny();
  }

  private static void device(DeviceInfo device, String field, Set<Integer> indices, Violations v) {
    v.check(
        device.getIndex() >= 0 && device.getIndex() < Limits.MAX_GPUS,
        field + ".index",
        "must be 0 to " + (Limits.MAX_GPUS - 1) + ", got " + device.getIndex());
    v.check(indices.add(device.getIndex()), field + ".index", "duplicate " + device.getIndex());
    v.check(!device.getUuid().isEmpty(), field + ".uuid", "required");
    int max = Limits.MAX_DEVICE_FIELD_CHARS;
    v.text(device.getUuid(), field + ".uuid", max);
    v.text(device.getModel(), field + ".model", max);
    v.text(device.getInterconnectGroup(), field + ".interconnect_group", max);
    v.text(device.getPciBusId(), field + ".pci_bus_id", max);
    v.text(device.getComputeCapability(), field + ".compute_capability", max);
    v.check(
        device.getMemoryTotalBytes() >= 0, field + ".memory_total_bytes", "must not be negative");
    v.check(
        device.getPowerLimitWatts() >= 0 && Double.isFinite(device.getPowerLimitWatts()),
        field + ".power_limit_watts",
        "must be a finite number, not negative");
    v.check(
        device.getMultiprocessorCount() >= 0,
        field + ".multiprocessor_count",
        "must not be negative");
  }

  /**
   * Throws INVALID_ARGUMENT naming what is wrong with a hello. Its credential is checked by the
   * loop; here only sizes, so nothing oversized reaches the store.
   */
  static void hello(AgentHello hello) {
    Violations v = new Violations();
    v.text(hello.getNodeId(), "hello.node_id", Limits.MAX_ID_CHARS);
    v.text(hello.getInstanceId(), "hello.instance_id", Limits.MAX_ID_CHARS);
    v.check(
        hello.getKnownTaskIdsCount() <= Limits.MAX_KNOWN_TASKS,
        "hello.known_task_ids",
        "at most " + Limits.MAX_KNOWN_TASKS + ", has " + hello.getKnownTaskIdsCount());
    v.throwIfAny();
  }

  /** Throws INVALID_ARGUMENT naming what is too big or out of range in a heartbeat. */
  static void heartbeat(Heartbeat heartbeat) {
    Violations v = new Violations();
    v.check(
        !heartbeat.hasTime() || com.google.protobuf.util.Timestamps.isValid(heartbeat.getTime()),
        "heartbeat.time",
        "must be a valid timestamp between years 1 and 9999");
    v.check(
        heartbeat.getDevicesCount() <= Limits.MAX_GPUS,
        "heartbeat.devices",
        "at most " + Limits.MAX_GPUS + ", has " + heartbeat.getDevicesCount());
    for (int i = 0; i < Math.min(heartbeat.getDevicesCount(), Limits.MAX_GPUS); i++) {
      DeviceStatus status = heartbeat.getDevices(i);
      String field = "heartbeat.devices[" + i + "]";
      v.check(
          status.getProcessesCount() <= Limits.MAX_GPU_PROCESSES,
          field + ".processes",
          "at most " + Limits.MAX_GPU_PROCESSES + ", has " + status.getProcessesCount());
      v.text(status.getHealthReason(), field + ".health_reason", Limits.MAX_HEALTH_REASON_CHARS);
    }
    v.throwIfAny();
  }

  /**
   * The update with its free text cut to {@link Limits#MAX_TASK_TEXT_CHARS} characters (marked) and
   * its progress metrics to {@link Limits#MAX_PROGRESS_METRICS}; the update itself when nothing
   * needed cutting.
   */
  static TaskUpdate trim(TaskUpdate update) {
    switch (update.getKindCase()) {
      case ENDED -> {
        TaskEnded ended = update.getEnded();
        TaskResult result = ended.getResult();
        if (isLong(result.getMessage()) || isLong(result.getReasonCode())) {
          TaskResult cut =
              result.toBuilder()
                  .setMessage(cut(result.getMessage()))
                  .setReasonCode(cut(result.getReasonCode()))
                  .build();
          return update.toBuilder().setEnded(ended.toBuilder().setResult(cut)).build();
        }
      }
      case PROGRESS -> {
        Progress progress = update.getProgress();
        if (isLong(progress.getMessage())
            || progress.getMetricsCount() > Limits.MAX_PROGRESS_METRICS) {
          Progress.Builder cut = progress.toBuilder().setMessage(cut(progress.getMessage()));
          if (progress.getMetricsCount() > Limits.MAX_PROGRESS_METRICS) {
            cut.clearMetrics();
            progress.getMetricsMap().entrySet().stream()
                .sorted(java.util.Map.Entry.comparingByKey())
                .limit(Limits.MAX_PROGRESS_METRICS)
                .forEach(e -> cut.putMetrics(cut(e.getKey()), e.getValue()));
          }
          return update.toBuilder().setProgress(cut).build();
        }
      }
      default -> {
        // started carries no text; logs are limited by the loop, per task and second
      }
    }
    return update;
  }

  private static boolean isLong(String text) {
    return text.length() > Limits.MAX_TASK_TEXT_CHARS;
  }

  private static String cut(String text) {
    if (!isLong(text)) {
      return text;
    }
    int end = Limits.MAX_TASK_TEXT_CHARS;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end)
        + " [gpupool: "
        + (text.length() - end)
        + " characters cut: limit of "
        + Limits.MAX_TASK_TEXT_CHARS
        + "]";
  }
}
