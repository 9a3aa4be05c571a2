package io.gpupool.controller.loop;

import io.gpupool.controller.state.NodeEntry;
import io.gpupool.proto.v1.DeviceSample;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.Node;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes as clients see them, republished by the loop after every pass that changed them, with
 * each GPU's recent samples kept beside the view (added only when asked for: they are the bulk).
 *
 * <p>Thread-safe: written only by the loop thread, read by RPC threads without locks. Each entry is
 * immutable, so a reader sees a node either before or after a pass, never half-way.
 */
public final class NodeDirectory {
  private final Map<String, Published> nodes = new ConcurrentHashMap<>();

  void put(NodeEntry node) {
    nodes.put(node.id(), new Published(node.toView(), Map.copyOf(node.history())));
  }

  /** All registered nodes, by name then id, without GPU history. */
  public List<Node> list() {
    return list(false);
  }

  /** All registered nodes, by name then id; with each GPU's recent samples if asked for. */
  public List<Node> list(boolean includeHistory) {
    return nodes.values().stream()
        .map(p -> includeHistory ? p.withHistory() : p.view())
        .sorted(Comparator.comparing(Node::getName).thenComparing(Node::getId))
        .toList();
  }

  /** A registered node, without GPU history; empty when no node has this id. */
  public Optional<Node> get(String nodeId) {
    return Optional.ofNullable(nodes.get(nodeId)).map(Published::view);
  }

  /** A node's view and its GPUs' samples by device index. */
  private record Published(Node view, Map<Integer, List<DeviceSample>> history) {
    Node withHistory() {
      Node.Builder node = view.toBuilder();
      for (Gpu.Builder gpu : node.getGpusBuilderList()) {
        gpu.addAllHistory(history.getOrDefault(gpu.getInfo().getIndex(), List.of()));
      }
      return node.build();
    }
  }
}
