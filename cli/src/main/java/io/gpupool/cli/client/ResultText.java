package io.gpupool.cli.client;

import io.gpupool.cli.text.NumberText;
import io.gpupool.cli.text.TablePrinter;
import io.gpupool.proto.v1.DeviceDiagnostic;
import io.gpupool.proto.v1.DiagnosticReport;
import io.gpupool.proto.v1.KernelOutput;
import io.gpupool.proto.v1.KernelResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Prints what a CUDA kernel or diagnostic task produced, for {@code gpupool get}: the kernel's time
 * and its output buffers (as hex, or the files they were written to), and a table of the
 * diagnostics per GPU. Stateless, thread-safe.
 */
final class ResultText {
  /** The most bytes of an output shown as hex. */
  static final int HEX_BYTES = 64;

  private ResultText() {}

  /**
   * Prints {@code Kernel: 1.250 ms on GPU-...} and a line per output.
   *
   * @param files where each output (by argument index) was written; empty to show hex
   */
  static void printKernel(KernelResult kernel, Map<Integer, Path> files, PrintWriter out) {
    out.println(
        "Kernel:  "
            + String.format(Locale.ROOT, "%.3f", kernel.getElapsedMs())
            + " ms on "
            + TaskText.orDash(kernel.getDeviceUuid()));
    if (kernel.getOutputsCount() == 0) {
      return;
    }
    out.println("Outputs:");
    TablePrinter outputs = TablePrinter.withoutHeader(3);
    for (KernelOutput output : kernel.getOutputsList()) {
      int size = output.getData().size();
      Path file = files.get(output.getArgumentIndex());
      outputs.row(
          "arg " + output.getArgumentIndex(),
          size + " bytes" + (output.getTruncated() ? " (truncated)" : ""),
          file != null ? "-> " + file : hex(output));
    }
    outputs.print(out, "  ");
  }

  /** Prints {@code Diagnostics:} and a table with a row per GPU. */
  static void printDiagnostics(DiagnosticReport report, PrintWriter out) {
    out.println("Diagnostics:");
    TablePrinter table = TablePrinter.withHeader("GPU", "UUID", "GB/S", "GFLOP/S", "PASSED", "");
    for (DeviceDiagnostic device : report.getDevicesList()) {
      table.row(
          device.getDeviceIndex(),
          TaskText.orDash(device.getDeviceUuid()),
          device.hasMemoryBandwidthGbps()
              ? NumberText.oneDecimal(device.getMemoryBandwidthGbps())
              : "-",
          device.hasFmaGflops() ? NumberText.oneDecimal(device.getFmaGflops()) : "-",
          device.getPassed() ? "yes" : "NO",
          device.getMessage());
    }
    table.print(out, "  ");
  }

  /** The first {@link #HEX_BYTES} bytes as hex, with {@code ...} when there are more. */
  private static String hex(KernelOutput output) {
    byte[] data = output.getData().toByteArray();
    int shown = Math.min(HEX_BYTES, data.length);
    return HexFormat.of().formatHex(data, 0, shown)
        + (data.length > shown || output.getTruncated() ? "..." : "");
  }
}
