package io.gpupool.agent.workload;

import static io.gpupool.agent.workload.TaskUpdates.awaitEnded;
import static io.gpupool.agent.workload.TaskUpdates.sh;
import static io.gpupool.agent.workload.TaskUpdates.started;
import static io.gpupool.agent.workload.TaskUpdates.stdout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workloads run as the configured user: a root agent (as this test JVM is here and in CI) runs them
 * as nobody through setpriv, in a work dir that nobody owns, next to a supervisor dir that nobody
 * cannot touch. Tests that need root are skipped for a JVM that is not.
 */
@Timeout(60)
class RunAsTest {

  private static final long NOBODY_UID = 65534;

  @TempDir Path stateDir;

  private final List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
  private final List<TaskRunner> runners = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    // The state dir must be passable for the run-as user, as an agent's start checks.
    Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx--x--x"));
  }

  @AfterEach
  void tearDown() {
    runners.forEach(TaskRunner::close);
  }

  private TaskRunner runner(String runAs) {
    TaskRunner runner =
        TaskUpdates.runner(
            stateDir, Clock.systemUTC(), updates, WorkloadSettings.defaults().withRunAs(runAs));
    runners.add(runner);
    return runner;
  }

  private static void assumeRootWithNobody() {
    Assumptions.assumeTrue(WorkloadUser.agent().isRoot(), "needs a root agent");
    Assumptions.assumeTrue(
        WorkloadUser.resolve("nobody").uid() == NOBODY_UID, "needs the user nobody (65534)");
  }

  private Path taskDir(String taskId) {
    return stateDir.resolve("tasks").resolve(taskId);
  }

  private static long uid(Path file) throws IOException {
    return ((Number) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aTaskRunAsNobodyHasNobodysIdsNameAndAHomeOfItsOwn() {
    assumeRootWithNobody();

    runner("nobody")
        .start("t-id", sh("id -u; id -g; echo \"$USER $LOGNAME $HOME\"", null), List.of());

    TaskEnded ended = awaitEnded(updates, "t-id");
    assertThat(ended.getResult().getExitCode()).isZero();
    Path work = taskDir("t-id").resolve("work");
    assertThat(stdout(updates, "t-id"))
        .containsExactly("65534", "65534", "nobody nobody " + work.toAbsolutePath());
  }

  @Test
  void theWorkAndTmpDirsAreTheUsersAndTheSupervisorDirStaysTheAgents() throws IOException {
    assumeRootWithNobody();

    runner("nobody").start("t-perm", sh("touch mine; echo \"$TMPDIR\"", null), List.of());

    awaitEnded(updates, "t-perm");
    Path task = taskDir("t-perm");
    assertThat(uid(stateDir.resolve("tasks"))).isZero();
    assertThat(mode(stateDir.resolve("tasks"))).isEqualTo("rwx--x--x");
    assertThat(uid(task)).isZero();
    assertThat(mode(task)).isEqualTo("rwx--x--x");
    assertThat(uid(task.resolve(".gpupool"))).isZero();
    assertThat(mode(task.resolve(".gpupool"))).isEqualTo("rwx------");
    for (String name : List.of("work", "tmp")) {
      assertThat(uid(task.resolve(name))).as(name).isEqualTo(NOBODY_UID);
      assertThat(mode(task.resolve(name))).as(name).isEqualTo("rwx------");
    }
    assertThat(uid(task.resolve("work").resolve("mine"))).isEqualTo(NOBODY_UID);
    assertThat(stdout(updates, "t-perm")).containsExactly(task.resolve("tmp").toString());
  }

  @Test
  void aWorkloadCannotForgeItsExitStatusPidOrSupervisorDir() throws IOException {
    assumeRootWithNobody();
    String attempt = "if %s 2>/dev/null; then echo 'forged: %s'; else echo 'denied: %s'; fi; ";
    String script =
        String.format(attempt, "echo 0 >../.gpupool/exit", "exit", "exit")
            + String.format(attempt, "echo 1 >../.gpupool/pid", "pid", "pid")
            + String.format(attempt, "ls ../.gpupool >/dev/null", "list", "list")
            + String.format(attempt, "mv ../.gpupool ../moved", "move", "move")
            + String.format(attempt, "mkdir ../.fake", "mkdir", "mkdir")
            + String.format(attempt, "truncate -s 0 ../.gpupool/stdout", "truncate", "truncate")
            + "exit 3";

    runner("nobody").start("t-forge", sh(script, null), List.of());

    TaskEnded ended = awaitEnded(updates, "t-forge");
    assertThat(ended.getResult().getExitCode()).isEqualTo(3);
    assertThat(stdout(updates, "t-forge"))
        .containsExactly(
            "denied: exit",
            "denied: pid",
            "denied: list",
            "denied: move",
            "denied: mkdir",
            "denied: truncate");
    assertThat(taskDir("t-forge").resolve(".gpupool")).isDirectory();
  }

  @Test
  void aWorkloadCannotEnterAnotherUsersTaskNorListTheTasks() throws IOException {
    assumeRootWithNobody();
    runner(null).start("t-root", sh("echo secret >secret; echo root output", null), List.of());
    awaitEnded(updates, "t-root");
    String attempt = "if %s 2>/dev/null; then echo 'allowed: %s'; else echo 'denied: %s'; fi; ";
    String script =
        String.format(attempt, "cat ../../t-root/work/secret", "read", "read")
            + String.format(attempt, "touch ../../t-root/work/planted", "write", "write")
            + String.format(attempt, "ls ../../t-root/.gpupool", "output", "output")
            + String.format(attempt, "ls .. >/dev/null", "list", "list");

    runner("nobody").start("t-nosy", sh(script, null), List.of());

    awaitEnded(updates, "t-nosy");
    assertThat(stdout(updates, "t-nosy"))
        .containsExactly("denied: read", "denied: write", "denied: output", "denied: list");
    assertThat(taskDir("t-root").resolve("work").resolve("planted")).doesNotExist();
  }

  @Test
  void exitCodesKeepTheirMeaningAndSignalsReachTheWorkload() throws IOException {
    assumeRootWithNobody();
    TaskRunner runner = runner("nobody");
    runner.start("t-exit", sh("exit 7", null), List.of());
    runner.start(
        "t-usr1",
        sh(
            "trap 'cat \"$GPUPOOL_NOTICE_FILE\" >/dev/null && echo notice read;"
                + " echo \"##gpupool checkpointed\"' USR1;"
                + " echo ready; while :; do sleep 0.05; done",
            null),
        List.of());
    runner.start("t-term", sh("echo ready; exec sleep 1000", null), List.of());

    assertThat(awaitEnded(updates, "t-exit").getResult().getExitCode()).isEqualTo(7);
    await().until(() -> stdout(updates, "t-usr1").contains("ready"));
    await().until(() -> stdout(updates, "t-term").contains("ready"));

    assertThat(runner.preempt("t-usr1", "a bigger task", Duration.ofSeconds(30))).isTrue();
    runner.cancel("t-term", Duration.ofSeconds(30));

    TaskEnded preempted = awaitEnded(updates, "t-usr1");
    assertThat(stdout(updates, "t-usr1")).contains("notice read");
    assertThat(preempted.getPreempted()).isTrue();
    assertThat(preempted.getResult().getMessage()).endsWith("(checkpointed)");
    TaskEnded cancelled = awaitEnded(updates, "t-term");
    assertThat(cancelled.getResult().getExitCode()).as("128 + SIGTERM").isEqualTo(143);
    assertThat(cancelled.getCancelled()).isTrue();
  }

  @Test
  void anUnknownUserFailsTheTaskBeforeItStartsNamingTheUser() {
    runner("no-such-user-here").start("t-who", sh("echo ran", null), List.of());

    TaskEnded ended = awaitEnded(updates, "t-who");
    assertThat(ended.getResult().hasExitCode()).isFalse();
    assertThat(ended.getResult().getMessage())
        .contains("--run-as")
        .contains("no user 'no-such-user-here'");
    assertThat(started(updates, "t-who")).isFalse();
  }

  @Test
  void anAgentThatIsNotRootCannotRunTasksAsAnotherUser() {
    Assumptions.assumeFalse(WorkloadUser.agent().isRoot(), "needs an agent that is not root");

    runner("nobody").start("t-other", sh("echo ran", null), List.of());

    TaskEnded ended = awaitEnded(updates, "t-other");
    assertThat(ended.getResult().hasExitCode()).isFalse();
    assertThat(ended.getResult().getMessage()).contains("not as root");
  }

  @Test
  void theStartCheckRefusesAStateDirTheUserCannotReach() throws IOException {
    assumeRootWithNobody();
    Path closed = stateDir.resolve("closed");
    Files.createDirectory(
        closed, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path inside = closed.resolve("state");
    WorkloadSettings nobody = WorkloadSettings.defaults().withRunAs("nobody");

    assertThatThrownBy(() -> TaskRunner.checkWorkloadUser(inside, nobody))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nobody (uid 65534) cannot reach")
        .hasMessageContaining("chmod o+x " + closed)
        .hasMessageContaining("--state-dir");
    assertThat(TaskRunner.checkWorkloadUser(stateDir, nobody).uid()).isEqualTo(NOBODY_UID);
    assertThatThrownBy(
            () ->
                TaskRunner.checkWorkloadUser(
                    stateDir, WorkloadSettings.defaults().withRunAs("no-such-user-here")))
        .hasMessageStartingWith("--run-as: no user 'no-such-user-here'");
  }
}
