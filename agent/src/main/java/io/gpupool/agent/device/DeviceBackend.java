package io.gpupool.agent.device;

import java.util.Collection;
import java.util.List;

/**
 * The port to a node's GPUs: the inventory, telemetry samples, and a hint about which devices run
 * work (which a simulated backend needs to make its telemetry respond to the work; a real backend
 * measures instead).
 *
 * <p>Implementations are thread-safe: the session samples from its own thread while task runners
 * mark devices busy from theirs. {@link #close()} releases the driver; the agent calls it last.
 */
public interface DeviceBackend extends AutoCloseable {

  /** The node's GPUs, ordered by index; the same list on every call. */
  List<GpuDevice> devices();

  /** Takes one sample per device, ordered by index. */
  List<GpuSample> sample();

  /** One line for humans, e.g. "simulated: 4x NVIDIA H100 80GB". */
  String description();

  /** True when the devices are simulated. */
  boolean isSimulated();

  /**
   * Notes that a task started using the given devices. Calls nest: a device stays busy until {@link
   * #workEnded} was called as often as this. Unknown indices are ignored.
   */
  default void workStarted(Collection<Integer> indices) {}

  /** Notes that a task stopped using the given devices; the counterpart of {@link #workStarted}. */
  default void workEnded(Collection<Integer> indices) {}

  /**
   * The compute processes on a device now, with their device memory. Empty when the backend cannot
   * tell (a simulated backend runs no real GPU processes).
   *
   * @throws DeviceBackendException when the driver fails to answer
   */
  default List<GpuProcessUsage> computeProcesses(int index) throws DeviceBackendException {
    return List.of();
  }

  /**
   * Notes that the built-in diagnostics passed on a device, which ends a fault the backend keeps
   * reporting since an error event (e.g. an XID) until the device proves itself again. Faults that
   * the driver still reports (e.g. uncorrected ECC errors) stay.
   */
  default void diagnosticPassed(int index) {}

  /** NVIDIA driver version, e.g. "550.54.15"; "" for simulated devices or when unknown. */
  default String driverVersion() {
    return "";
  }

  /** Highest CUDA version the driver supports, e.g. "12.4"; "" when unknown. */
  default String cudaDriverVersion() {
    return "";
  }

  /** Releases the driver and stops any watcher thread; idempotent, never throws. */
  @Override
  default void close() {}
}
