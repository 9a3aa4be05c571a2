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
 * devices report 95-100% utilization, most of their memory in use, a power draw that follows the
 * utilization up to near the model's TDP and a rising temperature; idle ones report no load, idle
 * power and cool down again. Every measurement is known (no ECC errors, NVLink up inside a group of
 * several devices), and the devices stay healthy.
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

  /** Share of the TDP an idle device draws, and the share utilization adds on top at 100%. */
  private static final double IDLE_POWER_SHARE = 0.10;

  private static final double BUSY_POWER_SHARE = 0.87;

  /** NVLink links a simulated device reports when its group has peers to link to. */
  private static final int SIMULATED_NVLINKS = 12;

  private final SimulateSpec spec;
  private final List<GpuDevice> devices;
  private final Random random;
  private final int[] busyCount;
  private final double[] temperature;
  private final double[] busyMemoryShare;
  private final int[] nvlinkLinks;

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
    List<Integer> links = new ArrayList<>();
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
        links.add(group.count() > 1 ? SIMULATED_NVLINKS : GpuSample.UNKNOWN);
      }
    }
    this.devices = List.copyOf(list);
    this.busyCount = new int[devices.size()];
    this.temperature = new double[devices.size()];
    this.busyMemoryShare = new double[devices.size()];
    this.nvlinkLinks = links.stream().mapToInt(Integer::intValue).toArray();
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
    double utilization = busy ? 95 + random.nextDouble() * 5 : 0;
    double memoryShare =
        busy ? Math.min(busyMemoryShare[i] + (random.nextDouble() - 0.5) * 0.02, 1.0) : 0;
    // Power follows utilization: idle draw plus a share of the rest of the TDP, with some noise.
    double power = tdp * (IDLE_POWER_SHARE + BUSY_POWER_SHARE * utilization / 100);
    power += tdp * random.nextDouble() * 0.01;
    return GpuSample.builder(i)
        .utilizationPercent(utilization)
        .memoryUtilizationPercent(busy ? utilization * 0.6 : 0)
        .memoryUsedBytes((long) (device.memoryTotalBytes() * memoryShare))
        .powerWatts(power)
        .powerLimitWatts(device.powerLimitWatts())
        .temperatureCelsius(temperature[i])
        .eccVolatile(0, 0)
        .nvlinkActiveLinks(nvlinkLinks[i])
        .build();
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
