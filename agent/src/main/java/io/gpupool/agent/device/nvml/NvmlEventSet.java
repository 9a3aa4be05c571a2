package io.gpupool.agent.device.nvml;

import com.sun.jna.Pointer;

/** A handle to an NVML event set, from {@link Nvml#createEventSet()}. Immutable. */
public final class NvmlEventSet {

  private final Pointer handle;

  NvmlEventSet(Pointer handle) {
    this.handle = handle;
  }

  Pointer handle() {
    return handle;
  }
}
