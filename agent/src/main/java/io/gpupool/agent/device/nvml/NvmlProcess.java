package io.gpupool.agent.device.nvml;

/**
 * A compute process on a GPU (nvmlProcessInfo_t).
 *
 * @param pid process id
 * @param usedMemoryBytes device memory it uses; -1 when NVML does not say
 */
public record NvmlProcess(int pid, long usedMemoryBytes) {}
