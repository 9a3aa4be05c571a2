package io.gpupool.controller.loop;

import io.gpupool.proto.v1.Node;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes as clients see them, republished by the loop after every pass that changed them.
 *
 * <p>Thread-safe: written only by the loop thread, read by RPC threads without locks. Each entry is
 * an immutable message, so a reader sees a node either before or after a pass, never half-way.
 */
public final class NodeDirectory {
  private final Map<String, Node> nodes = new ConcurrentHashMap<>();

  void put(Node node) {
    nodes.put(node.getId(), node);
  }

  /** All registered nodes, by name then id. */
  public List<Node> list() {
    return nodes.values().stream()
        .sorted(Comparator.comparing(Node::getName).thenComparing(Node::getId))
        .toList();
  }
}
