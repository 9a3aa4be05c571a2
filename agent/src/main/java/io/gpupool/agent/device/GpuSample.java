package io.gpupool.agent.device;

import java.util.List;
import java.util.Objects;

/**
 * A sample of one GPU's state, as sent with heartbeats. A measurement the device or driver does not
 * give is unknown: {@code NaN} for the {@code double}s, {@link #UNKNOWN} for the counts; never a
 * made-up zero. Build one with {@link #builder(int)}, which starts with everything unknown.
 *
 * @param index index of the device the sample is for
 * @param utilizationPercent GPU utilization over the last sample period, 0 to 100
 * @param memoryUtilizationPercent memory controller utilization over the last period, 0 to 100
 * @param memoryUsedBytes device memory in use
 * @param powerWatts power draw
 * @param powerLimitWatts the power limit in force now
 * @param temperatureCelsius temperature
 * @param eccCorrectedVolatile corrected ECC errors since the driver loaded
 * @param eccUncorrectedVolatile uncorrected ECC errors since the driver loaded
 * @param nvlinkActiveLinks NVLink links up; unknown when the device has no NVLink
 * @param processes compute processes on the device (empty when none or unknown)
 * @param healthy false when the device reported errors and must not get new work
 * @param healthReason why it is unhealthy, e.g. "XID 79 (GPU has fallen off the bus)"; "" when
 *     healthy
 */
public record GpuSample(
    int index,
    double utilizationPercent,
    double memoryUtilizationPercent,
    long memoryUsedBytes,
    double powerWatts,
    double powerLimitWatts,
    double temperatureCelsius,
    long eccCorrectedVolatile,
    long eccUncorrectedVolatile,
    int nvlinkActiveLinks,
    List<GpuProcessUsage> processes,
    boolean healthy,
    String healthReason) {

  /** The value of an unknown count. */
  public static final int UNKNOWN = -1;

  /** Copies the process list and checks that an unhealthy sample says why. */
  public GpuSample {
    processes = List.copyOf(processes);
    Objects.requireNonNull(healthReason, "healthReason");
    if (!healthy && healthReason.isEmpty()) {
      throw new IllegalArgumentException("an unhealthy sample needs a reason");
    }
  }

  /** A builder for a device's sample, all measurements unknown and the device healthy. */
  public static Builder builder(int index) {
    return new Builder(index);
  }

  /** True when a {@code double} measurement is known. */
  public static boolean known(double value) {
    return !Double.isNaN(value);
  }

  /** True when a count is known. */
  public static boolean known(long value) {
    return value != UNKNOWN;
  }

  /** Collects the measurements of one sample. Not thread-safe. */
  public static final class Builder {
    private final int index;
    private double utilizationPercent = Double.NaN;
    private double memoryUtilizationPercent = Double.NaN;
    private long memoryUsedBytes = UNKNOWN;
    private double powerWatts = Double.NaN;
    private double powerLimitWatts = Double.NaN;
    private double temperatureCelsius = Double.NaN;
    private long eccCorrectedVolatile = UNKNOWN;
    private long eccUncorrectedVolatile = UNKNOWN;
    private int nvlinkActiveLinks = UNKNOWN;
    private List<GpuProcessUsage> processes = List.of();
    private String healthReason = "";

    private Builder(int index) {
      this.index = index;
    }

    /** GPU utilization in percent. */
    public Builder utilizationPercent(double value) {
      this.utilizationPercent = value;
      return this;
    }

    /** Memory controller utilization in percent. */
    public Builder memoryUtilizationPercent(double value) {
      this.memoryUtilizationPercent = value;
      return this;
    }

    /** Device memory in use, in bytes. */
    public Builder memoryUsedBytes(long value) {
      this.memoryUsedBytes = value;
      return this;
    }

    /** Power draw in watts. */
    public Builder powerWatts(double value) {
      this.powerWatts = value;
      return this;
    }

    /** The power limit in force, in watts. */
    public Builder powerLimitWatts(double value) {
      this.powerLimitWatts = value;
      return this;
    }

    /** Temperature in degrees Celsius. */
    public Builder temperatureCelsius(double value) {
      this.temperatureCelsius = value;
      return this;
    }

    /** Volatile ECC error counts. */
    public Builder eccVolatile(long corrected, long uncorrected) {
      this.eccCorrectedVolatile = corrected;
      this.eccUncorrectedVolatile = uncorrected;
      return this;
    }

    /** NVLink links up. */
    public Builder nvlinkActiveLinks(int value) {
      this.nvlinkActiveLinks = value;
      return this;
    }

    /** Compute processes on the device. */
    public Builder processes(List<GpuProcessUsage> value) {
      this.processes = value;
      return this;
    }

    /** Marks the device unhealthy for a reason; "" keeps it healthy. */
    public Builder unhealthy(String reason) {
      this.healthReason = reason;
      return this;
    }

    /** Builds the sample; healthy unless a reason was given. */
    public GpuSample build() {
      return new GpuSample(
          index,
          utilizationPercent,
          memoryUtilizationPercent,
          memoryUsedBytes,
          powerWatts,
          powerLimitWatts,
          temperatureCelsius,
          eccCorrectedVolatile,
          eccUncorrectedVolatile,
          nvlinkActiveLinks,
          processes,
          healthReason.isEmpty(),
          healthReason);
    }
  }
}
