package io.gpupool.agent.workload;

import io.gpupool.agent.cuda.CudaDriver;
import io.gpupool.agent.cuda.Diagnostics;
import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.agent.device.GpuDevice;
import io.gpupool.proto.v1.DeviceDiagnostic;
import io.gpupool.proto.v1.DiagnosticReport;
import io.gpupool.proto.v1.DiagnosticWorkload;
import io.gpupool.proto.v1.TaskResult;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@code diagnostic} workload on every assigned device. Exit code 0 when every device passed;
 * otherwise failed with reason code {@value #DIAGNOSTIC_FAILED}. Each passing device is reported to
 * the backend ({@link DeviceBackend#diagnosticPassed}), which ends its quarantine.
 */
final class DiagnosticJob implements CudaJob {

  /** The reason code of a diagnostic that did not pass on some device. */
  static final String DIAGNOSTIC_FAILED = "DIAGNOSTIC_FAILED";

  private final DiagnosticWorkload workload;
  private final List<Integer> deviceIndices;
  private final DeviceBackend backend;
  private final Function<CudaDriver, Diagnostics> diagnostics;

  DiagnosticJob(
      DiagnosticWorkload workload,
      List<Integer> deviceIndices,
      DeviceBackend backend,
      Function<CudaDriver, Diagnostics> diagnostics) {
    this.workload = workload;
    this.deviceIndices = List.copyOf(deviceIndices);
    this.backend = backend;
    this.diagnostics = diagnostics;
  }

  @Override
  public Optional<TaskResult> reject() {
    if (deviceIndices.isEmpty()) {
      return Optional.of(
          CudaResults.failed(
              "CUDA_ERROR_INVALID_DEVICE",
              "a diagnostic task needs at least one GPU; it got none"));
    }
    return DeviceIndices.unknown(deviceIndices, backend.devices());
  }

  @Override
  public TaskResult run(CudaDriver driver) {
    List<GpuDevice> all = backend.devices();
    List<GpuDevice> devices = deviceIndices.stream().map(all::get).toList();
    DiagnosticReport report = diagnostics.apply(driver).run(devices, workload.getChecksList());
    List<DeviceDiagnostic> failed =
        report.getDevicesList().stream().filter(d -> !d.getPassed()).toList();
    report.getDevicesList().stream()
        .filter(DeviceDiagnostic::getPassed)
        .forEach(d -> backend.diagnosticPassed(d.getDeviceIndex()));
    TaskResult.Builder result = TaskResult.newBuilder().setDiagnostic(report);
    if (failed.isEmpty()) {
      return result.setExitCode(0).build();
    }
    return result
        .setReasonCode(DIAGNOSTIC_FAILED)
        .setMessage(
            "diagnostics failed on "
                + String.join(
                    "; ",
                    failed.stream()
                        .map(d -> "GPU " + d.getDeviceIndex() + ": " + d.getMessage())
                        .toList()))
        .build();
  }
}
