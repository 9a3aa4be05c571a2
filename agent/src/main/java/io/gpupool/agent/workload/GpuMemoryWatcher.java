package io.gpupool.agent.workload;

import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.agent.device.DeviceBackendException;
import io.gpupool.agent.device.GpuProcessUsage;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the device memory a task with a GPU share ({@code Resources.gpu_memory_bytes}) uses: the
 * sum over the device's compute processes that belong to the task's process tree, as the backend
 * (NVML) reports them. Its owner calls {@link #check()} periodically and stops the task when it
 * reports an excess.
 *
 * <p>Processes whose usage the driver does not report count as 0, and a check the driver fails is
 * skipped (logged once): the watcher never stops a task on what it does not know. Thread-safe.
 */
final class GpuMemoryWatcher {

  /** The reason code of a task stopped for using more GPU memory than its share. */
  static final String GPU_MEMORY_EXCEEDED = "GPU_MEMORY_EXCEEDED";

  private static final Logger log = LoggerFactory.getLogger(GpuMemoryWatcher.class);
  private static final double GIB = 1024.0 * 1024 * 1024;

  private final String taskId;
  private final DeviceBackend backend;
  private final int deviceIndex;
  private final long shareBytes;
  private final Supplier<Set<Long>> taskPids;
  private volatile boolean failureLogged;

  /**
   * @param taskPids the pids of the task's process tree now
   */
  GpuMemoryWatcher(
      String taskId,
      DeviceBackend backend,
      int deviceIndex,
      long shareBytes,
      Supplier<Set<Long>> taskPids) {
    this.taskId = taskId;
    this.backend = backend;
    this.deviceIndex = deviceIndex;
    this.shareBytes = shareBytes;
    this.taskPids = taskPids;
  }

  /**
   * Looks at the device's processes once.
   *
   * @return the message for the ended update when the task uses more than its share; empty when it
   *     does not, or the driver cannot tell
   */
  Optional<String> check() {
    Iterable<GpuProcessUsage> processes;
    try {
      processes = backend.computeProcesses(deviceIndex);
    } catch (DeviceBackendException e) {
      if (!failureLogged) {
        failureLogged = true;
        log.warn(
            "task {}: cannot read GPU {}'s processes, its memory share is not enforced meanwhile: {}",
            taskId,
            deviceIndex,
            e.getMessage());
      }
      return Optional.empty();
    }
    Set<Long> pids = taskPids.get();
    long used = 0;
    for (GpuProcessUsage process : processes) {
      if (pids.contains((long) process.pid()) && process.usedMemoryBytes() > 0) {
        used += process.usedMemoryBytes();
      }
    }
    if (used <= shareBytes) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            Locale.ROOT,
            "GPU memory exceeded: the task used %.2f GiB on GPU %d, its share is %.2f GiB",
            used / GIB,
            deviceIndex,
            shareBytes / GIB));
  }
}
