package io.gpupool.cli.server;

import io.gpupool.agent.cuda.CudaDriverSource;
import io.gpupool.agent.cuda.DiagnosticReportText;
import io.gpupool.agent.cuda.Diagnostics;
import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.agent.device.DeviceBackendException;
import io.gpupool.agent.device.DeviceBackends;
import io.gpupool.agent.device.GpuDevice;
import io.gpupool.agent.device.NvmlLocator;
import io.gpupool.cli.client.DiagnosticCheckConverter;
import io.gpupool.proto.v1.DiagnosticCheck;
import io.gpupool.proto.v1.DiagnosticReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool diag}: runs the built-in diagnostics on this machine's GPUs, without a controller
 * (to check a node before it joins, or after a repair).
 */
@Command(
    name = "diag",
    mixinStandardHelpOptions = true,
    description =
        "Runs the built-in GPU diagnostics (memory bandwidth, FMA throughput) on this machine's"
            + " GPUs and prints GB/s and GFLOP/s per GPU; exits 1 when a GPU fails.")
public final class DiagCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--nvml-library",
      defaultValue = "${env:GPUPOOL_NVML_LIBRARY}",
      description =
          "Path of libnvidia-ml.so.1 (env GPUPOOL_NVML_LIBRARY; default: search the usual places).")
  Path nvmlLibrary;

  @Option(
      names = "--devices",
      split = ",",
      paramLabel = "I,J",
      description = "GPU indices to check (default: all).")
  List<Integer> devices = new ArrayList<>();

  @Option(
      names = "--checks",
      split = ",",
      converter = DiagnosticCheckConverter.class,
      paramLabel = "CHECK",
      description = "Checks to run: bandwidth, fma (default: all).")
  List<DiagnosticCheck> checks = new ArrayList<>();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (DeviceBackend backend =
        DeviceBackends.select(
            Optional.empty(),
            nvmlLibrary,
            NvmlLocator.systemDefault(System.getenv("LD_LIBRARY_PATH")),
            "diag")) {
      List<GpuDevice> chosen = chosen(backend.devices());
      DiagnosticReport report =
          new Diagnostics(CudaDriverSource.jcuda().driver()).run(chosen, checks);
      out.print(DiagnosticReportText.format(report));
      out.flush();
      return report.getDevicesList().stream().allMatch(d -> d.getPassed()) ? 0 : 1;
    } catch (DeviceBackendException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private List<GpuDevice> chosen(List<GpuDevice> all) {
    if (devices.isEmpty()) {
      return all;
    }
    List<GpuDevice> chosen = new ArrayList<>();
    for (int index : devices) {
      chosen.add(
          all.stream()
              .filter(d -> d.index() == index)
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "--devices: this machine has no GPU "
                              + index
                              + " (it has "
                              + all.size()
                              + ")")));
    }
    return chosen;
  }
}
