/**
 * CUDA on the agent: the {@link io.gpupool.agent.cuda.CudaDriver} port over the CUDA driver API and
 * its JCuda adapter ({@link io.gpupool.agent.cuda.JCudaDriverAdapter}), the mapping of NVML device
 * indices to CUDA ordinals by PCI bus id, the cross-check of CUDA's device properties with NVML's
 * ({@link io.gpupool.agent.cuda.CudaInventory}), the {@code cuda_kernel} launcher with its limits
 * ({@link io.gpupool.agent.cuda.KernelLauncher}, {@link io.gpupool.agent.cuda.KernelLimits}), and
 * the built-in diagnostics ({@link io.gpupool.agent.cuda.Diagnostics}) whose PTX ships as resources
 * generated from {@code src/main/cuda/*.cu}.
 *
 * <p>Only {@code JCudaDriverAdapter} touches JCuda, so everything else runs against a fake driver
 * in tests. May depend on {@code io.gpupool.agent.device}, the generated proto messages, JCuda and
 * slf4j; not on gRPC, the session or the workload runners.
 */
package io.gpupool.agent.cuda;
