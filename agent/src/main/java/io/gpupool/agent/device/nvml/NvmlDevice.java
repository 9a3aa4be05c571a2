package io.gpupool.agent.device.nvml;

import com.sun.jna.Pointer;

/**
 * A handle to one GPU, as {@link Nvml#device(int)} gives it; valid until the {@link Nvml} closes.
 * Immutable; equal when it names the same device of the same library.
 */
public final class NvmlDevice {

  private final int index;
  private final Pointer handle;

  NvmlDevice(int index, Pointer handle) {
    this.index = index;
    this.handle = handle;
  }

  /** The device's index, as NVML numbers it. */
  public int index() {
    return index;
  }

  Pointer handle() {
    return handle;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof NvmlDevice d && d.index == index && d.handle.equals(handle);
  }

  @Override
  public int hashCode() {
    return handle.hashCode();
  }

  @Override
  public String toString() {
    return "NvmlDevice[" + index + "]";
  }
}
