package io.gpupool.agent.workload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether a CUDA MPS control daemon runs on the node, and the environment that limits an MPS client
 * to its GPU share.
 *
 * <p>The daemon is found by its {@code control} pipe in {@code CUDA_MPS_PIPE_DIRECTORY} (as the
 * agent's environment sets it, which the tasks inherit) or in {@value #DEFAULT_PIPE_DIRECTORY}.
 * Thread-safe.
 */
final class MpsControl {

  /** Where the MPS control daemon puts its pipes unless told otherwise. */
  static final String DEFAULT_PIPE_DIRECTORY = "/tmp/nvidia-mps";

  private final Path pipeDirectory;

  MpsControl(Path pipeDirectory) {
    this.pipeDirectory = pipeDirectory;
  }

  /** The daemon as the given environment (the agent's) locates it. */
  static MpsControl fromEnvironment(Map<String, String> environment) {
    String directory = environment.get("CUDA_MPS_PIPE_DIRECTORY");
    return new MpsControl(
        Path.of(directory == null || directory.isBlank() ? DEFAULT_PIPE_DIRECTORY : directory));
  }

  /** True when the daemon's control pipe exists now (the daemon may start after the agent). */
  boolean daemonRunning() {
    return Files.exists(pipeDirectory.resolve("control"));
  }

  /**
   * The MPS limits of a client with a share of one device. The device is ordinal 0 in the limit
   * because the client sees only its own device (CUDA_VISIBLE_DEVICES names just that one).
   *
   * @param shareBytes the task's share of the device memory
   * @param deviceMemoryBytes the device's memory
   * @return {@code CUDA_MPS_PINNED_DEVICE_MEM_LIMIT} ("0=<MiB>M", at least 1 MiB) and {@code
   *     CUDA_MPS_ACTIVE_THREAD_PERCENTAGE} (the share's percentage of the memory, 1 to 100)
   */
  static Map<String, String> limits(long shareBytes, long deviceMemoryBytes) {
    long mib = Math.max(1, shareBytes >> 20);
    long percent = Math.round(100.0 * shareBytes / deviceMemoryBytes);
    percent = Math.max(1, Math.min(100, percent));
    return Map.of(
        "CUDA_MPS_PINNED_DEVICE_MEM_LIMIT",
        "0=" + mib + "M",
        "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE",
        Long.toString(percent));
  }
}
