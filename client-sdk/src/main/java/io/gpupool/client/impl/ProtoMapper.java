package io.gpupool.client.impl;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.gpupool.client.CudaKernel;
import io.gpupool.client.DeviceDiagnostic;
import io.gpupool.client.Diagnostic;
import io.gpupool.client.DiagnosticCheck;
import io.gpupool.client.DiagnosticReport;
import io.gpupool.client.Dim3;
import io.gpupool.client.Gpu;
import io.gpupool.client.GpuProcess;
import io.gpupool.client.GpuQuarantine;
import io.gpupool.client.GpuSample;
import io.gpupool.client.GpuStatus;
import io.gpupool.client.KernelOutput;
import io.gpupool.client.KernelResult;
import io.gpupool.client.LogStream;
import io.gpupool.client.Node;
import io.gpupool.client.NodeState;
import io.gpupool.client.Placement;
import io.gpupool.client.Progress;
import io.gpupool.client.StateTransition;
import io.gpupool.client.Task;
import io.gpupool.client.TaskEvent;
import io.gpupool.client.TaskPage;
import io.gpupool.client.TaskQuery;
import io.gpupool.client.TaskSpec;
import io.gpupool.client.TaskState;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.DiagnosticWorkload;
import io.gpupool.proto.v1.KernelArgument;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.ListTasksResponse;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.SubmitTaskRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Converts between the SDK's types and the generated {@code io.gpupool.proto.v1} messages: the one
 * place that knows both. Stateless and thread-safe.
 *
 * <p>Where the proto types share a name with the SDK's, the proto type is written out in full.
 */
final class ProtoMapper {
  private ProtoMapper() {}

  // ---- requests ----

  static SubmitTaskRequest toSubmitRequest(TaskSpec spec, String requestId) {
    return SubmitTaskRequest.newBuilder().setSpec(toProto(spec)).setRequestId(requestId).build();
  }

  static io.gpupool.proto.v1.TaskSpec toProto(TaskSpec spec) {
    Resources.Builder resources =
        Resources.newBuilder().setGpus(spec.gpus()).addAllDeviceIndices(spec.deviceIndices());
    spec.gpuModel().ifPresent(resources::setGpuModel);
    spec.node().ifPresent(resources::setNode);
    io.gpupool.proto.v1.TaskSpec.Builder proto =
        io.gpupool.proto.v1.TaskSpec.newBuilder()
            .setName(spec.name())
            .setResources(resources)
            .putAllLabels(spec.labels());
    if (spec.cudaKernel().isPresent()) {
      proto.setCudaKernel(toProto(spec.cudaKernel().get()));
    } else if (spec.diagnostic().isPresent()) {
      proto.setDiagnostic(toProto(spec.diagnostic().get()));
    } else {
      CommandWorkload.Builder command =
          CommandWorkload.newBuilder().addAllArgv(spec.command()).putAllEnv(spec.env());
      spec.workingDir().ifPresent(command::setWorkingDir);
      proto.setCommand(command);
    }
    spec.maxRuntime().map(ProtoMapper::toProto).ifPresent(proto::setMaxRuntime);
    spec.killGracePeriod().map(ProtoMapper::toProto).ifPresent(proto::setKillGracePeriod);
    return proto.build();
  }

  static CudaKernelWorkload toProto(CudaKernel kernel) {
    CudaKernelWorkload.Builder proto =
        CudaKernelWorkload.newBuilder()
            .setPtx(kernel.ptx())
            .setKernel(kernel.kernel())
            .setGrid(toProto(kernel.grid()))
            .setBlock(toProto(kernel.block()))
            .setSharedMemoryBytes(kernel.sharedMemoryBytes());
    kernel.arguments().forEach(argument -> proto.addArguments(toProto(argument)));
    return proto.build();
  }

  static KernelArgument toProto(io.gpupool.client.KernelArgument argument) {
    KernelArgument.Builder proto = KernelArgument.newBuilder();
    if (argument instanceof io.gpupool.client.KernelArgument.Int32 value) {
      proto.setInt32Value(value.value());
    } else if (argument instanceof io.gpupool.client.KernelArgument.Int64 value) {
      proto.setInt64Value(value.value());
    } else if (argument instanceof io.gpupool.client.KernelArgument.Float32 value) {
      proto.setFloatValue(value.value());
    } else if (argument instanceof io.gpupool.client.KernelArgument.Float64 value) {
      proto.setDoubleValue(value.value());
    } else if (argument instanceof io.gpupool.client.KernelArgument.Buffer buffer) {
      DeviceBuffer.Builder bufferProto =
          DeviceBuffer.newBuilder().setSizeBytes(buffer.sizeBytes()).setOutput(buffer.output());
      if (buffer.fillByte().isPresent()) {
        bufferProto.setFillByte(buffer.fillByte().getAsInt());
      } else if (buffer.data().length > 0) {
        bufferProto.setData(ByteString.copyFrom(buffer.data()));
      }
      proto.setBuffer(bufferProto);
    }
    return proto.build();
  }

  static DiagnosticWorkload toProto(Diagnostic diagnostic) {
    DiagnosticWorkload.Builder proto = DiagnosticWorkload.newBuilder();
    diagnostic.checks().forEach(check -> proto.addChecks(toProto(check)));
    return proto.build();
  }

  static io.gpupool.proto.v1.DiagnosticCheck toProto(DiagnosticCheck check) {
    return switch (check) {
      case MEMORY_BANDWIDTH ->
          io.gpupool.proto.v1.DiagnosticCheck.DIAGNOSTIC_CHECK_MEMORY_BANDWIDTH;
      case FMA_THROUGHPUT -> io.gpupool.proto.v1.DiagnosticCheck.DIAGNOSTIC_CHECK_FMA_THROUGHPUT;
    };
  }

  private static io.gpupool.proto.v1.Dim3 toProto(Dim3 dim) {
    return io.gpupool.proto.v1.Dim3.newBuilder().setX(dim.x()).setY(dim.y()).setZ(dim.z()).build();
  }

  static ListTasksRequest toRequest(TaskQuery query) {
    ListTasksRequest.Builder request = ListTasksRequest.newBuilder();
    query.states().forEach(state -> request.addStates(toProto(state)));
    query.pageSize().ifPresent(request::setPageSize);
    query.pageToken().ifPresent(request::setPageToken);
    return request.build();
  }

  // ---- responses ----

  static TaskPage toPage(ListTasksResponse response) {
    return new TaskPage(
        response.getTasksList().stream().map(ProtoMapper::toTask).toList(),
        Optional.of(response.getNextPageToken()).filter(token -> !token.isEmpty()));
  }

  static Task toTask(io.gpupool.proto.v1.Task task) {
    io.gpupool.proto.v1.TaskResult result = task.getResult();
    return new Task(
        task.getId(),
        task.getSpec().getName(),
        toState(task.getState()),
        task.getReason(),
        task.getSpec().getResources().getGpus(),
        toInstant(task.getCreateTime()),
        task.hasStartTime() ? Optional.of(toInstant(task.getStartTime())) : Optional.empty(),
        task.hasEndTime() ? Optional.of(toInstant(task.getEndTime())) : Optional.empty(),
        task.hasPlacement() ? Optional.of(toPlacement(task.getPlacement())) : Optional.empty(),
        exitCode(task.hasResult(), result),
        result.getMessage(),
        task.getTransitionsList().stream().map(ProtoMapper::toTransition).toList(),
        task.hasProgress() ? Optional.of(toProgress(task.getProgress())) : Optional.empty(),
        task.getCancelRequested(),
        task.getRequestId(),
        result.getReasonCode(),
        result.hasKernel() ? Optional.of(toKernelResult(result.getKernel())) : Optional.empty(),
        result.hasDiagnostic() ? Optional.of(toReport(result.getDiagnostic())) : Optional.empty());
  }

  static KernelResult toKernelResult(io.gpupool.proto.v1.KernelResult result) {
    return new KernelResult(
        result.getElapsedMs(),
        result.getDeviceUuid(),
        result.getOutputsList().stream()
            .map(
                output ->
                    new KernelOutput(
                        output.getArgumentIndex(),
                        output.getData().toByteArray(),
                        output.getTruncated()))
            .toList());
  }

  static DiagnosticReport toReport(io.gpupool.proto.v1.DiagnosticReport report) {
    return new DiagnosticReport(
        report.getDevicesList().stream()
            .map(
                device ->
                    new DeviceDiagnostic(
                        device.getDeviceIndex(),
                        device.getDeviceUuid(),
                        device.hasMemoryBandwidthGbps()
                            ? OptionalDouble.of(device.getMemoryBandwidthGbps())
                            : OptionalDouble.empty(),
                        device.hasFmaGflops()
                            ? OptionalDouble.of(device.getFmaGflops())
                            : OptionalDouble.empty(),
                        device.getPassed(),
                        device.getMessage()))
            .toList());
  }

  static List<Node> toNodes(ListNodesResponse response) {
    return response.getNodesList().stream().map(ProtoMapper::toNode).toList();
  }

  static Node toNode(io.gpupool.proto.v1.Node node) {
    return new Node(
        node.getId(),
        node.getName(),
        toState(node.getState()),
        node.getGpusList().stream().map(ProtoMapper::toGpu).toList(),
        node.hasRegisterTime() ? Optional.of(toInstant(node.getRegisterTime())) : Optional.empty(),
        node.hasLastHeartbeatTime()
            ? Optional.of(toInstant(node.getLastHeartbeatTime()))
            : Optional.empty(),
        node.getAgentVersion(),
        node.getDriverVersion(),
        node.getCudaDriverVersion());
  }

  static Gpu toGpu(io.gpupool.proto.v1.Gpu gpu) {
    io.gpupool.proto.v1.DeviceInfo info = gpu.getInfo();
    return new Gpu(
        info.getIndex(),
        info.getUuid(),
        info.getModel(),
        info.getMemoryTotalBytes(),
        info.getSimulated(),
        info.getPciBusId(),
        info.getComputeCapability(),
        gpu.hasStatus() ? Optional.of(toStatus(gpu.getStatus())) : Optional.empty(),
        nonEmpty(gpu.getTaskId()),
        gpu.hasQuarantine()
            ? Optional.of(
                new GpuQuarantine(
                    gpu.getQuarantine().getReason(), toInstant(gpu.getQuarantine().getSince())))
            : Optional.empty(),
        gpu.getHistoryList().stream()
            .map(sample -> new GpuSample(toInstant(sample.getTime()), toStatus(sample.getStatus())))
            .toList());
  }

  static GpuStatus toStatus(io.gpupool.proto.v1.DeviceStatus sample) {
    return new GpuStatus(
        sample.hasUtilizationPercent()
            ? OptionalDouble.of(sample.getUtilizationPercent())
            : OptionalDouble.empty(),
        sample.hasMemoryUtilizationPercent()
            ? OptionalDouble.of(sample.getMemoryUtilizationPercent())
            : OptionalDouble.empty(),
        sample.hasMemoryUsedBytes()
            ? OptionalLong.of(sample.getMemoryUsedBytes())
            : OptionalLong.empty(),
        sample.hasPowerWatts() ? OptionalDouble.of(sample.getPowerWatts()) : OptionalDouble.empty(),
        sample.hasPowerLimitWatts()
            ? OptionalDouble.of(sample.getPowerLimitWatts())
            : OptionalDouble.empty(),
        sample.hasTemperatureCelsius()
            ? OptionalDouble.of(sample.getTemperatureCelsius())
            : OptionalDouble.empty(),
        sample.hasEccCorrectedVolatile()
            ? OptionalLong.of(sample.getEccCorrectedVolatile())
            : OptionalLong.empty(),
        sample.hasEccUncorrectedVolatile()
            ? OptionalLong.of(sample.getEccUncorrectedVolatile())
            : OptionalLong.empty(),
        sample.hasNvlinkActiveLinks()
            ? OptionalInt.of(sample.getNvlinkActiveLinks())
            : OptionalInt.empty(),
        sample.getProcessesList().stream()
            .map(
                process ->
                    new GpuProcess(
                        process.getPid(),
                        process.hasUsedMemoryBytes()
                            ? OptionalLong.of(process.getUsedMemoryBytes())
                            : OptionalLong.empty(),
                        nonEmpty(process.getTaskId())))
            .toList(),
        sample.getHealthy(),
        sample.getHealthReason());
  }

  /**
   * Returns the event, or null for a kind of event this client does not know (the controller is
   * newer); such events are skipped.
   */
  static TaskEvent toEvent(io.gpupool.proto.v1.TaskEvent event) {
    long sequence = event.getSequence();
    return switch (event.getKindCase()) {
      case STATE_CHANGE -> {
        io.gpupool.proto.v1.StateTransition change = event.getStateChange();
        yield new TaskEvent.StateChanged(
            sequence,
            toState(change.getState()),
            change.getReason(),
            toInstant(change.getTime()),
            exitCode(event.hasResult(), event.getResult()),
            event.getResult().getMessage());
      }
      case PROGRESS -> new TaskEvent.ProgressReported(sequence, toProgress(event.getProgress()));
      case LOG -> {
        io.gpupool.proto.v1.LogLine line = event.getLog();
        yield new TaskEvent.LogLine(
            sequence, toStream(line.getStream()), line.getText(), toInstant(line.getTime()));
      }
      case KIND_NOT_SET -> null;
    };
  }

  static Progress toProgress(io.gpupool.proto.v1.Progress progress) {
    return new Progress(
        progress.hasPercent() ? OptionalDouble.of(progress.getPercent()) : OptionalDouble.empty(),
        progress.hasStep() ? OptionalLong.of(progress.getStep()) : OptionalLong.empty(),
        progress.hasTotalSteps() ? OptionalLong.of(progress.getTotalSteps()) : OptionalLong.empty(),
        progress.getMetricsMap(),
        progress.getMessage(),
        toInstant(progress.getTime()));
  }

  // ---- enums ----

  static TaskState toState(io.gpupool.proto.v1.TaskState state) {
    return switch (state) {
      case TASK_STATE_PENDING -> TaskState.PENDING;
      case TASK_STATE_SCHEDULED -> TaskState.SCHEDULED;
      case TASK_STATE_RUNNING -> TaskState.RUNNING;
      case TASK_STATE_SUCCEEDED -> TaskState.SUCCEEDED;
      case TASK_STATE_FAILED -> TaskState.FAILED;
      case TASK_STATE_CANCELLED -> TaskState.CANCELLED;
      case TASK_STATE_UNSPECIFIED, UNRECOGNIZED -> TaskState.UNKNOWN;
    };
  }

  static io.gpupool.proto.v1.TaskState toProto(TaskState state) {
    return switch (state) {
      case PENDING -> io.gpupool.proto.v1.TaskState.TASK_STATE_PENDING;
      case SCHEDULED -> io.gpupool.proto.v1.TaskState.TASK_STATE_SCHEDULED;
      case RUNNING -> io.gpupool.proto.v1.TaskState.TASK_STATE_RUNNING;
      case SUCCEEDED -> io.gpupool.proto.v1.TaskState.TASK_STATE_SUCCEEDED;
      case FAILED -> io.gpupool.proto.v1.TaskState.TASK_STATE_FAILED;
      case CANCELLED -> io.gpupool.proto.v1.TaskState.TASK_STATE_CANCELLED;
      case UNKNOWN -> throw new IllegalArgumentException("UNKNOWN is not a state on the wire");
    };
  }

  static NodeState toState(io.gpupool.proto.v1.NodeState state) {
    return switch (state) {
      case NODE_STATE_READY -> NodeState.READY;
      case NODE_STATE_DISCONNECTED -> NodeState.DISCONNECTED;
      case NODE_STATE_LOST -> NodeState.LOST;
      case NODE_STATE_UNSPECIFIED, UNRECOGNIZED -> NodeState.UNKNOWN;
    };
  }

  static LogStream toStream(io.gpupool.proto.v1.LogStream stream) {
    // Agents always set the stream; anything else is shown as regular output.
    return stream == io.gpupool.proto.v1.LogStream.LOG_STREAM_STDERR
        ? LogStream.STDERR
        : LogStream.STDOUT;
  }

  // ---- scalars ----

  private static StateTransition toTransition(io.gpupool.proto.v1.StateTransition transition) {
    return new StateTransition(
        toState(transition.getState()), transition.getReason(), toInstant(transition.getTime()));
  }

  private static Placement toPlacement(io.gpupool.proto.v1.Placement placement) {
    return new Placement(
        placement.getNodeId(),
        placement.getNodeName(),
        placement.getDeviceIndicesList(),
        placement.getDeviceUuidsList());
  }

  private static OptionalInt exitCode(boolean hasResult, io.gpupool.proto.v1.TaskResult result) {
    return hasResult && result.hasExitCode()
        ? OptionalInt.of(result.getExitCode())
        : OptionalInt.empty();
  }

  private static Optional<String> nonEmpty(String value) {
    return Optional.of(value).filter(v -> !v.isEmpty());
  }

  /** An unset timestamp (which the controller never sends for these fields) becomes the epoch. */
  private static Instant toInstant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  private static com.google.protobuf.Duration toProto(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }
}
