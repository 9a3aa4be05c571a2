package io.gpupool.agent.device;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The declared devices of a simulated node, parsed from a spec such as {@code 4xH100-80GB} or
 * {@code 2xA100-40GB,1xT4-16GB}: comma-separated groups of {@code NxMODEL-MEMGB}.
 *
 * <p>Immutable. {@link #toString()} gives the canonical spec.
 *
 * @param groups the groups in the order given; devices are numbered across them from 0
 */
public record SimulateSpec(List<Group> groups) {

  /** The most devices one simulated node may declare. */
  public static final int MAX_DEVICES = 1024;

  private static final String EXPECTED = "expected NxMODEL-MEMGB, e.g. 8xA100-80GB";
  private static final Pattern GROUP =
      Pattern.compile("(\\d{1,5})[xX]([A-Za-z0-9][A-Za-z0-9._-]*)-(\\d{1,5})(?:GB|gb|Gb|gB)");

  /**
   * A run of identical devices.
   *
   * @param count how many, at least 1
   * @param model the model as written, e.g. "H100"
   * @param memoryGb memory of each device in GiB, at least 1
   */
  public record Group(int count, String model, int memoryGb) {

    /** Device memory in bytes. */
    public long memoryBytes() {
      return (long) memoryGb << 30;
    }

    /** The marketing-style name the devices report, e.g. "NVIDIA H100 80GB". */
    public String deviceModel() {
      return "NVIDIA " + model + " " + memoryGb + "GB";
    }

    @Override
    public String toString() {
      return count + "x" + model + "-" + memoryGb + "GB";
    }
  }

  /** Copies the groups. */
  public SimulateSpec {
    groups = List.copyOf(groups);
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("a simulate spec needs at least one group");
    }
  }

  /**
   * Parses a spec.
   *
   * @throws IllegalArgumentException naming the bad part and the expected form
   */
  public static SimulateSpec parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(
          "simulate spec is empty: " + EXPECTED + " or 2xA100-40GB,1xT4-16GB");
    }
    List<Group> groups = new ArrayList<>();
    int total = 0;
    for (String part : spec.split(",", -1)) {
      String trimmed = part.trim();
      Matcher m = GROUP.matcher(trimmed);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "bad group '" + trimmed + "' in simulate spec '" + spec + "': " + EXPECTED);
      }
      int count = Integer.parseInt(m.group(1));
      int memoryGb = Integer.parseInt(m.group(3));
      if (count < 1) {
        throw new IllegalArgumentException(
            "bad group '" + trimmed + "' in simulate spec '" + spec + "': N must be at least 1");
      }
      if (memoryGb < 1) {
        throw new IllegalArgumentException(
            "bad group '" + trimmed + "' in simulate spec '" + spec + "': MEM must be at least 1");
      }
      total += count;
      if (total > MAX_DEVICES) {
        throw new IllegalArgumentException(
            "simulate spec '" + spec + "' declares more than " + MAX_DEVICES + " devices");
      }
      groups.add(new Group(count, m.group(2), memoryGb));
    }
    return new SimulateSpec(groups);
  }

  /** Number of devices across all groups. */
  public int deviceCount() {
    return groups.stream().mapToInt(Group::count).sum();
  }

  @Override
  public String toString() {
    return groups.stream().map(Group::toString).collect(Collectors.joining(","));
  }
}
