package io.gpupool.agent.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A workload's process and every descendant seen so far. Descendants are remembered because once
 * their parent dies they are re-parented and no longer show up as descendants of the root, yet they
 * must still be stopped. {@link #refresh()} is called periodically and before every signal.
 *
 * <p>Signals go through {@link ProcessHandle}, which checks a process's start time, so a recycled
 * pid is never signalled. A process that detaches between two refreshes (a double fork) escapes.
 *
 * <p>Thread-safe.
 */
final class ProcessTree {

  private final ProcessHandle root;
  private final Set<ProcessHandle> descendants = ConcurrentHashMap.newKeySet();

  ProcessTree(ProcessHandle root) {
    this.root = root;
  }

  /** Adds the root's current descendants and forgets the dead ones. */
  void refresh() {
    descendants.removeIf(p -> !p.isAlive());
    if (root.isAlive()) {
      root.descendants().forEach(descendants::add);
    }
  }

  /** The remembered descendants still alive. */
  List<ProcessHandle> aliveDescendants() {
    refresh();
    return List.copyOf(descendants);
  }

  /** Sends SIGTERM to the root and every live descendant. */
  void terminate() {
    signal(false);
  }

  /** Sends SIGKILL to the root and every live descendant. */
  void kill() {
    signal(true);
  }

  /** Sends SIGTERM ({@code force}: SIGKILL) to the given processes that are still alive. */
  static void signal(List<ProcessHandle> processes, boolean force) {
    for (ProcessHandle p : processes) {
      if (p.isAlive()) {
        if (force) {
          p.destroyForcibly();
        } else {
          p.destroy();
        }
      }
    }
  }

  private void signal(boolean force) {
    refresh();
    // The root first: it may want to shut its children down itself.
    List<ProcessHandle> all = new ArrayList<>();
    all.add(root);
    all.addAll(descendants);
    signal(all, force);
  }
}
