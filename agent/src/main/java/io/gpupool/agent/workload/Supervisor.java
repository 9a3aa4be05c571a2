package io.gpupool.agent.workload;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small {@code /bin/sh} process that stands between the agent and a command workload, as
 * slurmstepd or containerd-shim do, so that the workload neither depends on the agent process nor
 * dies with it.
 *
 * <p>It runs in a session (and process group) of its own ({@code setsid}), so that signals meant
 * for the agent's terminal or process group do not reach it. Its first act writes its pid to {@code
 * pid}; it then runs the workload ({@code exec}, never a shell builtin) with stdin from /dev/null
 * and stdout and stderr appended to files, never pipes to the agent, and when the workload ends
 * writes its exit status (128 + signal for a signalled workload, as {@code Process.exitValue()}
 * gives it) and a newline to {@code exit}, then exits. The status is written with one small write
 * and read only after the supervisor is gone, and only when newline-terminated, which gives what a
 * write-aside-and-rename would without the cost of running {@code mv} for every task (about 1.5 ms
 * of CPU each). The agent signals only the workload and its descendants, never the supervisor
 * itself. A supervisor that cannot record its pid exits (125) before running the workload, since a
 * restarted agent could not know that the workload ran.
 *
 * <p>The supervisor runs as the agent's user. A workload that runs as another user is executed
 * through {@code setpriv} (see {@link #command(Path, WorkloadUser, List)}), so the files the
 * supervisor writes stay the agent's and out of the workload's reach.
 *
 * <p>The workload sees the environment the agent gave the supervisor, with {@code PWD} set to its
 * working dir by the shell; the workload runs in the foreground (not as a background job), so its
 * SIGINT and SIGQUIT are not ignored. The shell's own messages ("Terminated" when the workload dies
 * of SIGTERM) are discarded, not taken for the workload's output.
 *
 * <p>Stateless; thread-safe.
 */
final class Supervisor {

  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  /** The supervisor's $0, which marks it in process listings. */
  static final String NAME = "gpupool-supervisor";

  /**
   * $1 is the supervisor dir, the rest the workload's argv. The subshell's exec makes the workload
   * the supervisor's only child.
   */
  static final String SCRIPT =
      "d=$1; shift; echo $$ >\"$d/pid\" || exit 125; "
          + "(exec \"$@\") </dev/null >>\"$d/stdout\" 2>>\"$d/stderr\"; "
          + "echo $? >\"$d/exit\"";

  private static final String SHELL = "/bin/sh";
  private static final Optional<String> SETSID = findSetsid();
  private static final Optional<String> SETPRIV = findProgram("setpriv");

  private Supervisor() {}

  /**
   * The supervisor's command line for a workload that runs as the agent's user, to start with the
   * task's working dir and environment.
   *
   * @param directory the supervisor dir (absolute), which the supervisor's command line names
   */
  static List<String> command(Path directory, List<String> argv) {
    List<String> command = new ArrayList<>(argv.size() + 6);
    SETSID.ifPresent(command::add);
    command.addAll(List.of(SHELL, "-c", SCRIPT, NAME, directory.toString()));
    command.addAll(argv);
    return command;
  }

  /**
   * The supervisor's command line for a workload that runs as another user: the supervisor stays
   * the agent's user (it writes the files in the supervisor dir, which the workload cannot touch),
   * and only the workload is executed through {@code setpriv}, which switches to the user's uid,
   * gid and supplementary groups, clears the inheritable capabilities and executes the program in
   * place (same pid, same exit status, signals reach the program itself). It keeps the environment
   * the supervisor got.
   *
   * @throws IllegalStateException when setpriv (util-linux) is not installed
   */
  static List<String> command(Path directory, WorkloadUser user, List<String> argv) {
    List<String> workload = new ArrayList<>(switchUser(user));
    workload.addAll(argv);
    return command(directory, workload);
  }

  /**
   * The setpriv command line that runs the program after it as the user.
   *
   * @throws IllegalStateException when setpriv (util-linux) is not installed
   */
  static List<String> switchUser(WorkloadUser user) {
    String setpriv =
        SETPRIV.orElseThrow(
            () ->
                new IllegalStateException(
                    "setpriv (util-linux) is not installed: the agent needs it to run tasks as "
                        + user.describe()));
    return List.of(
        setpriv,
        "--reuid=" + user.uid(),
        "--regid=" + user.gid(),
        "--init-groups",
        "--inh-caps=-all",
        "--");
  }

  /**
   * True when the process is the supervisor of this dir, not another process that got its pid
   * later: its command line names the dir.
   */
  static boolean supervises(ProcessHandle process, Path directory) {
    String dir = directory.toString();
    return process.info().arguments().map(args -> Arrays.asList(args).contains(dir)).orElse(false);
  }

  /** The setsid program (util-linux); without it, supervisors share the agent's session. */
  private static Optional<String> findSetsid() {
    Optional<String> setsid = findProgram("setsid");
    if (setsid.isEmpty()) {
      log.warn(
          "setsid (util-linux) not found: command tasks run in the agent's session, and a signal to"
              + " the agent's process group reaches them too");
    }
    return setsid;
  }

  /** An executable of that name on the agent's PATH, or in /usr/bin or /bin. */
  static Optional<String> findProgram(String name) {
    String path = System.getenv("PATH");
    List<String> directories = new ArrayList<>();
    if (path != null) {
      directories.addAll(Arrays.asList(path.split(File.pathSeparator)));
    }
    directories.addAll(List.of("/usr/bin", "/bin"));
    for (String directory : directories) {
      if (directory.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(directory, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }
}
