package io.gpupool.agent.cuda;

import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.agent.device.GpuDevice;
import io.gpupool.proto.v1.DeviceDiagnostic;
import io.gpupool.proto.v1.DiagnosticCheck;
import io.gpupool.proto.v1.DiagnosticReport;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in diagnostics: on each device, in a context of its own, the memory-bandwidth check (a
 * copy kernel; GB/s) and the FMA-throughput check (FP32 fmaf chains; GFLOP/s), each verifying what
 * its kernel computed. A device passes when every chosen check ran and computed the right result.
 *
 * <p>Runs devices one after the other on the calling thread, which it blocks for about a second per
 * device. Thread-safe: concurrent calls use separate contexts.
 */
public final class Diagnostics {

  /** The copy buffer's size at most (an eighth of the device memory if that is smaller). */
  static final long DEFAULT_COPY_BYTES = 256L << 20;

  /** FMA iterations per chain and thread. */
  static final int DEFAULT_FMA_ITERATIONS = 16_384;

  /** Timed launches per check. */
  static final int DEFAULT_REPEATS = 10;

  private static final Logger log = LoggerFactory.getLogger(Diagnostics.class);

  private final CudaDriver driver;
  private final MemoryBandwidthCheck bandwidth;
  private final FmaThroughputCheck fma;

  /** Creates the diagnostics over an initialized driver, at their full size. */
  public Diagnostics(CudaDriver driver) {
    this(driver, DEFAULT_COPY_BYTES, DEFAULT_FMA_ITERATIONS, DEFAULT_REPEATS);
  }

  /** Creates diagnostics of another size (tests against a fake driver keep them small). */
  Diagnostics(CudaDriver driver, long copyBytes, int fmaIterations, int repeats) {
    this.driver = driver;
    this.bandwidth = new MemoryBandwidthCheck(copyBytes, repeats);
    this.fma = new FmaThroughputCheck(fmaIterations, repeats);
  }

  /**
   * The entry point of {@code gpupool diag}: every check on every device of the backend.
   *
   * @throws io.gpupool.agent.device.DeviceBackendException when this node has no CUDA driver
   */
  public static DiagnosticReport runOnAllDevices(DeviceBackend backend, CudaDriverSource cuda)
      throws io.gpupool.agent.device.DeviceBackendException {
    return new Diagnostics(cuda.driver()).run(backend.devices(), List.of());
  }

  /**
   * Runs the checks on the devices; a device that fails (wrong result, CUDA error, not visible to
   * CUDA) is reported failed with the reason, and the others still run.
   *
   * @param devices the devices, from the backend (their PCI bus ids find the CUDA devices)
   * @param checks the checks to run; empty (or only UNSPECIFIED) runs all of them
   * @return one entry per device, in the order given
   */
  public DiagnosticReport run(List<GpuDevice> devices, Collection<DiagnosticCheck> checks) {
    Set<DiagnosticCheck> chosen = chosen(checks);
    DiagnosticReport.Builder report = DiagnosticReport.newBuilder();
    for (GpuDevice device : devices) {
      DeviceDiagnostic result = run(device, chosen);
      log.info("diagnostics on GPU {}: {}", device.index(), DiagnosticReportText.line(result));
      report.addDevices(result);
    }
    return report.build();
  }

  private DeviceDiagnostic run(GpuDevice device, Set<DiagnosticCheck> checks) {
    DeviceDiagnostic.Builder result =
        DeviceDiagnostic.newBuilder().setDeviceIndex(device.index()).setDeviceUuid(device.uuid());
    CudaDriver.Context context = null;
    try {
      CudaDeviceProperties cuda = CudaDevices.find(driver, device);
      context = driver.createContext(cuda.ordinal());
      if (checks.contains(DiagnosticCheck.DIAGNOSTIC_CHECK_MEMORY_BANDWIDTH)) {
        result.setMemoryBandwidthGbps(bandwidth.run(driver, cuda));
      }
      if (checks.contains(DiagnosticCheck.DIAGNOSTIC_CHECK_FMA_THROUGHPUT)) {
        result.setFmaGflops(fma.run(driver, cuda));
      }
      result.setPassed(true);
    } catch (CudaException e) {
      result.setPassed(false).setMessage(e.getMessage());
    } catch (WrongResultException e) {
      result.setPassed(false).setMessage(e.getMessage());
    } finally {
      if (context != null) {
        try {
          driver.destroyContext(context);
        } catch (CudaException e) {
          log.warn(
              "GPU {}: destroying the diagnostics' context failed: {}",
              device.index(),
              e.getMessage());
        }
      }
    }
    return result.build();
  }

  private static Set<DiagnosticCheck> chosen(Collection<DiagnosticCheck> checks) {
    Set<DiagnosticCheck> chosen = EnumSet.noneOf(DiagnosticCheck.class);
    for (DiagnosticCheck check : checks) {
      if (check == DiagnosticCheck.DIAGNOSTIC_CHECK_MEMORY_BANDWIDTH
          || check == DiagnosticCheck.DIAGNOSTIC_CHECK_FMA_THROUGHPUT) {
        chosen.add(check);
      }
    }
    if (chosen.isEmpty()) {
      chosen.add(DiagnosticCheck.DIAGNOSTIC_CHECK_MEMORY_BANDWIDTH);
      chosen.add(DiagnosticCheck.DIAGNOSTIC_CHECK_FMA_THROUGHPUT);
    }
    return chosen;
  }
}
