package io.gpupool.agent.device;

/**
 * A compute process on a GPU and the device memory it holds, as the driver reports it.
 *
 * @param pid process id on the node
 * @param usedMemoryBytes device memory the process uses; -1 when the driver does not say
 */
public record GpuProcessUsage(int pid, long usedMemoryBytes) {}
