/**
 * A thin JNA binding to the NVIDIA Management Library ({@code libnvidia-ml.so.1}), loaded from an
 * explicit path: {@link io.gpupool.agent.device.nvml.Nvml} calls the C functions gpupool needs and
 * turns their return codes into {@link io.gpupool.agent.device.nvml.NvmlException}s, including a
 * function the library lacks.
 *
 * <p>Knows nothing of gpupool's device model, health or the wire: it depends on the JDK and JNA
 * only. The struct layouts follow nvml.h (NVML 12.x); they are read from raw memory at fixed
 * offsets, which {@link io.gpupool.agent.device.nvml.Nvml} documents next to each call.
 */
package io.gpupool.agent.device.nvml;
