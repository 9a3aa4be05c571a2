package io.gpupool.agent.device;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Chooses the device backend of a node: the declared simulated devices when a simulate spec is
 * given, otherwise the NVIDIA driver. Never falls back to simulation by itself: a node without a
 * driver and without a spec is refused, so that nobody schedules real work on made-up GPUs. The
 * NVIDIA driver is used through {@link NvmlBackend}, which the caller closes.
 *
 * <p>Stateless and thread-safe.
 */
public final class DeviceBackends {

  private static final String USE_SIMULATE =
      "run with --simulate 8xA100-80GB to use simulated GPUs";

  private DeviceBackends() {}

  /**
   * Selects the backend.
   *
   * @param simulate the declared devices; empty to use the real GPUs
   * @param nvmlLibrary the NVML library to use (a file, or a directory holding it); null to search
   *     with {@code locator}
   * @param locator where to search when {@code nvmlLibrary} is null
   * @param nodeId the node's id, from which simulated device UUIDs derive
   * @throws DeviceBackendException when no backend can serve this node: no NVIDIA driver and no
   *     spec, or NVML found but failing to initialize (the message carries NVML's error)
   */
  public static DeviceBackend select(
      Optional<SimulateSpec> simulate, Path nvmlLibrary, NvmlLocator locator, String nodeId)
      throws DeviceBackendException {
    if (simulate.isPresent()) {
      return new SimulatedBackend(simulate.get(), nodeId, nodeId.hashCode());
    }
    Path library = nvmlLibrary == null ? locator.find().orElse(null) : explicit(nvmlLibrary);
    if (library == null) {
      String where =
          nvmlLibrary == null
              ? NvmlLocator.LIBRARY
                  + " not in "
                  + locator.searchDirs().stream()
                      .map(Path::toString)
                      .collect(Collectors.joining(", "))
              : nvmlLibrary + " (given as the NVML library) does not exist";
      throw new DeviceBackendException("no NVIDIA driver found (" + where + "); " + USE_SIMULATE);
    }
    return NvmlBackend.open(library);
  }

  private static Path explicit(Path nvmlLibrary) {
    Path file =
        Files.isDirectory(nvmlLibrary) ? nvmlLibrary.resolve(NvmlLocator.LIBRARY) : nvmlLibrary;
    return Files.isRegularFile(file) ? file : null;
  }
}
