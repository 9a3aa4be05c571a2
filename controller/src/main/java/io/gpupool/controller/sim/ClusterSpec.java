package io.gpupool.controller.sim;

import io.gpupool.controller.core.DeviceSnapshot;
import io.gpupool.controller.core.NodeSnapshot;
import io.gpupool.controller.core.ResourceRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated cluster, parsed from a spec such as {@code 16x8:V100} or {@code 8x8:A100,8x4:V100}:
 * comma-separated groups of {@code NODESxGPUS:MODEL} (that many nodes, each with that many GPUs of
 * that model).
 *
 * <p>GPU memory follows the model: A100 and H100 80 GiB, V100 32 GiB, anything else 40 GiB. Nodes
 * are numbered across the groups in order ({@code node-001}, ...), so their ids sort the way they
 * were declared. Immutable and thread-safe.
 *
 * @param spec the spec as given, trimmed
 * @param groups the groups, in the order given
 */
public record ClusterSpec(String spec, List<Group> groups) {
  /** The most GPUs one simulated node may have. */
  public static final int MAX_GPUS_PER_NODE = 1024;

  /** The most nodes a simulated cluster may have. */
  public static final int MAX_NODES = 100_000;

  private static final String EXPECTED = "expected NODESxGPUS:MODEL, e.g. 16x8:V100";
  private static final Pattern GROUP =
      Pattern.compile("(\\d{1,9})\\s*[xX]\\s*(\\d{1,9})\\s*:\\s*([A-Za-z0-9][A-Za-z0-9._-]*)");

  /**
   * Nodes of one shape.
   *
   * @param nodes how many nodes, at least 1
   * @param gpusPerNode GPUs on each, at least 1
   * @param model the GPU model as written, e.g. "V100"
   */
  public record Group(int nodes, int gpusPerNode, String model) {

    /** Checks the counts. */
    public Group {
      if (nodes < 1 || gpusPerNode < 1) {
        throw new IllegalArgumentException("a group needs at least one node and one GPU");
      }
    }

    /** Memory of each GPU, from the model: A100/H100 80 GiB, V100 32 GiB, others 40 GiB. */
    public long memoryBytes() {
      String upper = model.toUpperCase(Locale.ROOT);
      int gib =
          upper.contains("A100") || upper.contains("H100") ? 80 : upper.contains("V100") ? 32 : 40;
      return (long) gib << 30;
    }

    /** The name the devices report, as a real agent's would: e.g. "NVIDIA V100 32GB". */
    public String deviceModel() {
      return "NVIDIA " + model + " " + (memoryBytes() >> 30) + "GB";
    }
  }

  /** Copies the groups and checks the totals. */
  public ClusterSpec {
    groups = List.copyOf(groups);
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("a cluster needs at least one group");
    }
    long nodes = groups.stream().mapToLong(Group::nodes).sum();
    if (nodes > MAX_NODES) {
      throw new IllegalArgumentException(
          "cluster '" + spec + "' has " + nodes + " nodes; at most " + MAX_NODES + " are allowed");
    }
  }

  /**
   * Parses a spec.
   *
   * @throws IllegalArgumentException naming the bad part and the expected form
   */
  public static ClusterSpec parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("cluster spec is empty: " + EXPECTED);
    }
    String trimmed = spec.trim();
    List<Group> groups = new ArrayList<>();
    for (String part : trimmed.split(",", -1)) {
      String group = part.trim();
      Matcher m = GROUP.matcher(group);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "bad group '" + group + "' in cluster spec '" + trimmed + "': " + EXPECTED);
      }
      int nodes = Integer.parseInt(m.group(1));
      int gpus = Integer.parseInt(m.group(2));
      if (nodes < 1 || nodes > MAX_NODES) {
        throw new IllegalArgumentException(
            "bad group '"
                + group
                + "' in cluster spec '"
                + trimmed
                + "': the node count must be 1 to "
                + MAX_NODES
                + ", got "
                + nodes);
      }
      if (gpus < 1 || gpus > MAX_GPUS_PER_NODE) {
        throw new IllegalArgumentException(
            "bad group '"
                + group
                + "' in cluster spec '"
                + trimmed
                + "': GPUs per node must be 1 to "
                + MAX_GPUS_PER_NODE
                + ", got "
                + gpus);
      }
      groups.add(new Group(nodes, gpus, m.group(3)));
    }
    return new ClusterSpec(trimmed, groups);
  }

  /** All GPUs in the cluster. */
  public int gpus() {
    return groups.stream().mapToInt(g -> g.nodes() * g.gpusPerNode()).sum();
  }

  /** All nodes in the cluster. */
  public int nodeCount() {
    return groups.stream().mapToInt(Group::nodes).sum();
  }

  /**
   * The nodes as the core sees them with nothing allocated: ready, every GPU healthy, ids {@code
   * node-1} ... zero-padded to sort in order.
   */
  public List<NodeSnapshot> nodes() {
    int total = nodeCount();
    String format = "node-%0" + Integer.toString(total).length() + "d";
    List<NodeSnapshot> nodes = new ArrayList<>(total);
    for (Group group : groups) {
      List<DeviceSnapshot> devices = new ArrayList<>(group.gpusPerNode());
      for (int i = 0; i < group.gpusPerNode(); i++) {
        devices.add(new DeviceSnapshot(i, group.deviceModel(), group.memoryBytes(), true, false));
      }
      for (int n = 0; n < group.nodes(); n++) {
        String id = String.format(Locale.ROOT, format, nodes.size() + 1);
        nodes.add(new NodeSnapshot(id, id, true, devices));
      }
    }
    return nodes;
  }

  /**
   * The most GPUs that one node has for {@code request} (model and memory), i.e. the largest
   * request of that kind the cluster can ever run.
   */
  public int largestNodeFor(ResourceRequest request) {
    int largest = 0;
    for (Group group : groups) {
      DeviceSnapshot device =
          new DeviceSnapshot(0, group.deviceModel(), group.memoryBytes(), true, false);
      if (request.accepts(device)) {
        largest = Math.max(largest, group.gpusPerNode());
      }
    }
    return largest;
  }

  @Override
  public String toString() {
    return spec;
  }
}
