package io.gpupool.agent.device;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Devices declared with {@code --simulate}, whose telemetry responds to the work they run: busy
 * devices report 95-100% utilization, most of their memory in use, power near the model's TDP and a
 * rising temperature; idle ones report no load, idle power and cool down again.
 *
 * <p>The samples depend only on the seed and on the sequence of calls (no wall clock), so a test or
 * a simulation can replay them. Device UUIDs derive from the node id and the index, so a node keeps
 * its UUIDs across restarts.
 *
 * <p>Thread-safe.
 */
public final class SimulatedBackend implements DeviceBackend {

  private static final double IDLE_TEMPERATURE = 34;
  private static final double BUSY_TEMPERATURE = 76;

  /** Share of the gap to the target temperature closed per sample: devices warm up gradually. */
  private static final double THERMAL_STEP = 0.5;

  private final SimulateSpec spec;
  private final List<GpuDevice> devices;
  private final Random random;
  private final int[] busyCount;
  private final double[] temperature;
  private final double[] busyMemoryShare;

  /**
   * Creates the devices of a spec.
   *
   * @param spec the declared devices
   * @param nodeId the node's id; device UUIDs derive from it
   * @param seed seed of the telemetry noise
   */
  public SimulatedBackend(SimulateSpec spec, String nodeId, long seed) {
    this.spec = spec;
    this.random = new Random(seed);
    List<GpuDevice> list = new ArrayList<>();
    // Each group of the spec is one NVLink island: "4xA100-80GB,4xA100-80GB" is two islands of 4.
    for (int g = 0; g < spec.groups().size(); g++) {
      SimulateSpec.Group group = spec.groups().get(g);
      for (int i = 0; i < group.count(); i++) {
        int index = list.size();
        list.add(
            new GpuDevice(
                index,
                simulatedUuid(nodeId, index),
                group.deviceModel(),
                group.memoryBytes(),
                true,
                "island-" + g,
                tdpWatts(group.deviceModel()),
                "",
                "",
                0));
      }
    }
    this.devices = List.copyOf(list);
    this.busyCount = new int[devices.size()];
    this.temperature = new double[devices.size()];
    this.busyMemoryShare = new double[devices.size()];
    Arrays.fill(temperature, IDLE_TEMPERATURE);
  }

  /** The UUID a simulated device of a node gets: stable for the same node id and index. */
  static String simulatedUuid(String nodeId, int index) {
    byte[] name = (nodeId + "/" + index).getBytes(StandardCharsets.UTF_8);
    return "SIM-" + UUID.nameUUIDFromBytes(name);
  }

  /** Thermal design power of a model in watts; the busy power draw stays just below it. */
  static double tdpWatts(String model) {
    String upper = model.toUpperCase(Locale.ROOT);
    if (upper.contains("H100")) {
      return 700;
    }
    if (upper.contains("A100")) {
      return 400;
    }
    return 300;
  }

  @Override
  public List<GpuDevice> devices() {
    return devices;
  }

  @Override
  public synchronized List<GpuSample> sample() {
    List<GpuSample> samples = new ArrayList<>(devices.size());
    for (GpuDevice device : devices) {
      samples.add(sampleOne(device));
    }
    return samples;
  }

  private GpuSample sampleOne(GpuDevice device) {
    int i = device.index();
    boolean busy = busyCount[i] > 0;
    double tdp = tdpWatts(device.model());
    double target = busy ? BUSY_TEMPERATURE : IDLE_TEMPERATURE;
    temperature[i] += (target - temperature[i]) * THERMAL_STEP + (random.nextDouble() - 0.5);
    if (busy) {
      double memoryShare = busyMemoryShare[i] + (random.nextDouble() - 0.5) * 0.02;
      return new GpuSample(
          i,
          95 + random.nextDouble() * 5,
          (long) (device.memoryTotalBytes() * Math.min(memoryShare, 1.0)),
          tdp * (0.85 + random.nextDouble() * 0.13),
          temperature[i],
          true);
    }
    return new GpuSample(i, 0, 0, tdp * (0.1 + random.nextDouble() * 0.01), temperature[i], true);
  }

  @Override
  public synchronized void workStarted(Collection<Integer> indices) {
    for (int i : indices) {
      if (i >= 0 && i < busyCount.length) {
        if (busyCount[i]++ == 0) {
          busyMemoryShare[i] = 0.6 + random.nextDouble() * 0.3;
        }
      }
    }
  }

  @Override
  public synchronized void workEnded(Collection<Integer> indices) {
    for (int i : indices) {
      if (i >= 0 && i < busyCount.length && busyCount[i] > 0) {
        busyCount[i]--;
      }
    }
  }

  @Override
  public String description() {
    return "simulated: "
        + spec.groups().stream()
            .map(g -> g.count() + "x " + g.deviceModel())
            .collect(Collectors.joining(", "));
  }

  @Override
  public boolean isSimulated() {
    return true;
  }
}
