package io.gpupool.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link CudaKernel} launch produced. Immutable.
 *
 * @param elapsedMs kernel time measured with CUDA events, in milliseconds
 * @param deviceUuid UUID of the GPU it ran on
 * @param outputs the buffers marked {@link KernelArgument.Buffer#output()}, in argument order
 */
public record KernelResult(double elapsedMs, String deviceUuid, List<KernelOutput> outputs) {
  /** Checks that no component is null and copies the outputs. */
  public KernelResult {
    Objects.requireNonNull(deviceUuid, "deviceUuid");
    outputs = List.copyOf(outputs);
  }

  /** Returns the output of the kernel argument at {@code argumentIndex}, if it was returned. */
  public Optional<KernelOutput> output(int argumentIndex) {
    return outputs.stream().filter(o -> o.argumentIndex() == argumentIndex).findFirst();
  }
}
