package io.gpupool.agent.workload;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command task's processes: its {@link Supervisor} (the root), the workload (the supervisor's
 * child) and every descendant seen so far. Descendants are remembered because once their parent
 * dies they are re-parented and no longer show up as descendants of the root, yet they must still
 * be stopped. {@link #refresh()} is called periodically and before every signal.
 *
 * <p>Signals go to the workload and its descendants, never to the supervisor, which must live to
 * record the workload's exit status. SIGTERM and SIGKILL go through {@link ProcessHandle}, which
 * checks a process's start time, so a recycled pid is never signalled by them. A process that
 * detaches between two refreshes (a double fork) escapes.
 *
 * <p>Thread-safe.
 */
final class ProcessTree {

  private static final Logger log = LoggerFactory.getLogger(ProcessTree.class);

  /** How long kill(1) may take; it returns in milliseconds unless the machine is in trouble. */
  private static final long KILL_COMMAND_TIMEOUT_MS = 5_000;

  private final ProcessHandle root;
  private final Set<ProcessHandle> descendants = ConcurrentHashMap.newKeySet();

  /**
   * @param root the task's supervisor
   */
  ProcessTree(ProcessHandle root) {
    this.root = root;
  }

  /** The supervisor. */
  ProcessHandle root() {
    return root;
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

  /** The pids of the root and of every live descendant, refreshed now. */
  Set<Long> pids() {
    refresh();
    Set<Long> pids = new java.util.HashSet<>();
    pids.add(root.pid());
    descendants.forEach(p -> pids.add(p.pid()));
    return pids;
  }

  /**
   * Sends SIGTERM to the workload and every live descendant.
   *
   * @return false when there was none alive (the supervisor has not started the workload yet, or
   *     the workload is gone)
   */
  boolean terminate() {
    return signal(false);
  }

  /**
   * Sends SIGKILL to the workload and every live descendant.
   *
   * @return false when there was none alive
   */
  boolean kill() {
    return signal(true);
  }

  /**
   * Sends SIGUSR1 to the workload only (the supervisor's child): the workload decides whether and
   * how to pass it on.
   *
   * <p>Java can send only SIGTERM and SIGKILL ({@link ProcessHandle#destroy}, {@link
   * ProcessHandle#destroyForcibly}), so this runs {@code kill -USR1 <pid>} (procps or util-linux,
   * present on every Linux node). Unlike the ProcessHandle signals it cannot check the process's
   * start time, so a workload that exits and whose pid is reused in the few milliseconds between
   * the liveness check and the kill would be signalled instead; the pid space makes that unlikely.
   * Blocks while kill runs.
   *
   * @return true when delivered; false when there is no workload (not started yet, or gone) or kill
   *     failed (logged, never thrown)
   */
  boolean sendUsr1ToWorkload() {
    // The workload may exit on the signal and leave children behind, which must still be known.
    refresh();
    Optional<ProcessHandle> workload = workload();
    if (workload.isEmpty()) {
      return false;
    }
    String pid = Long.toString(workload.get().pid());
    try {
      Process kill =
          new ProcessBuilder("kill", "-USR1", pid)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!kill.waitFor(KILL_COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        kill.destroyForcibly();
        log.warn("kill -USR1 {} did not return within {} ms", pid, KILL_COMMAND_TIMEOUT_MS);
        return false;
      }
      if (kill.exitValue() != 0) {
        // The usual cause: the process exited in between.
        log.debug("kill -USR1 {} exited with {}", pid, kill.exitValue());
        return false;
      }
      return true;
    } catch (IOException e) {
      log.warn("cannot run kill -USR1 {} (is kill(1) on the agent's PATH?): {}", pid, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The supervisor's child while it runs. */
  private Optional<ProcessHandle> workload() {
    return root.isAlive()
        ? root.children().filter(ProcessHandle::isAlive).findFirst()
        : Optional.empty();
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

  private boolean signal(boolean force) {
    refresh();
    // The workload first: it may want to shut its children down itself.
    List<ProcessHandle> all = new ArrayList<>();
    workload().ifPresent(all::add);
    for (ProcessHandle p : descendants) {
      if (!all.contains(p)) {
        all.add(p);
      }
    }
    all.removeIf(p -> !p.isAlive());
    signal(all, force);
    return !all.isEmpty();
  }
}
