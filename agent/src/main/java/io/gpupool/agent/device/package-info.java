/**
 * GPU device backends: what GPUs a node has ({@link io.gpupool.agent.device.GpuDevice}) and how
 * they are doing ({@link io.gpupool.agent.device.GpuSample}), behind the {@link
 * io.gpupool.agent.device.DeviceBackend} port. {@link io.gpupool.agent.device.DeviceBackends} picks
 * the backend: simulated devices when declared, otherwise the NVIDIA driver through {@link
 * io.gpupool.agent.device.NvmlBackend}, which also judges device health (lost GPUs, uncorrected ECC
 * errors, XID events).
 *
 * <p>Depends on the JDK, slf4j and its NVML binding {@code io.gpupool.agent.device.nvml} only: no
 * gRPC, no generated proto types, so that the session and the workload runners can share it without
 * the device code knowing about either.
 */
package io.gpupool.agent.device;
