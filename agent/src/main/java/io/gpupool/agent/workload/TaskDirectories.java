package io.gpupool.agent.workload;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The directories of one command task and who owns them:
 *
 * <pre>
 * stateDir/tasks/              agent, 0711: others may pass, not list
 *   &lt;taskId&gt;/                 agent, 0711
 *     .gpupool/                agent, 0700: the supervisor's files (see SupervisorDir)
 *     .gpupool-notice.json     agent, 0644: the preemption notice, when there is one
 *     work/                    run-as user, 0700: the default working dir (and HOME when the
 *                              user has none)
 *     tmp/                     run-as user, 0700: TMPDIR
 * </pre>
 *
 * <p>The workload owns only {@code work} and {@code tmp}, never the directory that holds the
 * supervisor's files: an owner of the task dir could rename {@code .gpupool} away and put its own
 * in place, with a forged exit status, or links that the agent (root) would follow when it writes
 * there. No other user can enter another user's task; tasks that run as the same user share that
 * user's rights, so they are not kept apart by file permissions.
 *
 * <p>{@code work} and {@code tmp} outlive an attempt: a preempted task's next attempt finds its
 * checkpoint there. The agent changes only their owner and mode, never following a link; the names
 * themselves are in a directory only the agent can write, so a workload cannot swap them for links.
 *
 * <p>Stateless; thread-safe.
 */
final class TaskDirectories {

  /** The default working dir's name in the task dir. */
  static final String WORK = "work";

  /** The TMPDIR's name in the task dir. */
  static final String TMP = "tmp";

  private static final Set<PosixFilePermission> PASSABLE =
      PosixFilePermissions.fromString("rwx--x--x");
  private static final Set<PosixFilePermission> PRIVATE =
      PosixFilePermissions.fromString("rwx------");

  private static final long CHECK_TIMEOUT_MS = 10_000;

  private TaskDirectories() {}

  /**
   * Creates {@code stateDir/tasks} if missing and makes it passable for others.
   *
   * @return its real path
   */
  static Path prepareTasks(Path stateDir) throws IOException {
    Path tasks = stateDir.resolve("tasks");
    Files.createDirectories(tasks);
    Files.setPosixFilePermissions(tasks, PASSABLE);
    return tasks.toRealPath();
  }

  /**
   * Creates (or takes again) the task's dir for the agent and its work and tmp dirs for the user.
   *
   * @param task the task dir, {@code stateDir/tasks/<taskId>}, whose parent exists
   * @param user whom the workload runs as
   * @param chown whether to give work and tmp to the user (only a root agent can, and needs to when
   *     the user is another)
   * @throws IOException when a directory cannot be created or given its owner and mode, or a name
   *     is taken by something else than a directory
   */
  static void prepare(Path task, WorkloadUser user, boolean chown) throws IOException {
    createDirectory(task);
    Files.setPosixFilePermissions(task, PASSABLE);
    for (String name : new String[] {WORK, TMP}) {
      Path directory = task.resolve(name);
      createDirectory(directory);
      if (chown) {
        Files.setAttribute(directory, "unix:uid", (int) user.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(directory, "unix:gid", (int) user.gid(), LinkOption.NOFOLLOW_LINKS);
      }
      Files.setAttribute(directory, "unix:mode", 0700, LinkOption.NOFOLLOW_LINKS);
    }
  }

  /**
   * Checks that the user can reach the directory: runs {@code cd} into it as the user.
   *
   * @throws IllegalArgumentException when it cannot, naming the first directory on the way that
   *     others cannot search, or when setpriv is missing
   * @throws IOException when the check cannot run
   */
  static void checkReachable(Path directory, WorkloadUser user) throws IOException {
    List<String> check;
    try {
      check = new ArrayList<>(Supervisor.switchUser(user));
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException("--run-as: " + e.getMessage(), e);
    }
    check.addAll(List.of("/bin/sh", "-c", "cd -- \"$1\"", "gpupool-check", directory.toString()));
    Process process =
        new ProcessBuilder(check)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      if (!process.waitFor(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IOException("checking access to " + directory + " as " + user.name() + " hung");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while checking access to " + directory, e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalArgumentException(
          "the --run-as user "
              + user.describe()
              + " cannot reach the task directories in "
              + directory
              + closedOnTheWay(directory)
                  .map(
                      closed ->
                          ": "
                              + closed
                              + " is not searchable by others (give it o+x, e.g. chmod o+x "
                              + closed
                              + ")")
                  .orElse(": a directory on the way is not searchable by it")
              + ", or choose another --state-dir");
    }
  }

  /** The first directory from the root down that others may not search; empty when none. */
  private static Optional<Path> closedOnTheWay(Path directory) {
    List<Path> chain = new ArrayList<>();
    for (Path p = directory; p != null; p = p.getParent()) {
      chain.add(0, p);
    }
    for (Path p : chain) {
      try {
        int mode = (Integer) Files.getAttribute(p, "unix:mode");
        if ((mode & 01) == 0) {
          return Optional.of(p);
        }
      } catch (IOException | UnsupportedOperationException | ClassCastException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** The permissions a directory gets: only its owner may enter (work and tmp, .gpupool). */
  static Set<PosixFilePermission> privateMode() {
    return PRIVATE;
  }

  private static void createDirectory(Path directory) throws IOException {
    try {
      Files.createDirectory(directory);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(directory + " exists and is not a directory", e);
      }
    }
  }
}
