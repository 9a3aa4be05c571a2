package io.gpupool.agent.cuda;

/**
 * What CUDA says about one device.
 *
 * @param ordinal the CUDA device ordinal (not necessarily the NVML index)
 * @param name the device name
 * @param pciBusId the PCI bus id as CUDA prints it, e.g. "0000:3b:00.0"
 * @param computeCapabilityMajor e.g. 9 for "9.0"
 * @param computeCapabilityMinor e.g. 0 for "9.0"
 * @param multiprocessorCount streaming multiprocessors
 * @param totalMemoryBytes device memory in bytes
 */
public record CudaDeviceProperties(
    int ordinal,
    String name,
    String pciBusId,
    int computeCapabilityMajor,
    int computeCapabilityMinor,
    int multiprocessorCount,
    long totalMemoryBytes) {

  /** The compute capability as NVML and the scheduler write it, e.g. "9.0". */
  public String computeCapability() {
    return computeCapabilityMajor + "." + computeCapabilityMinor;
  }
}
