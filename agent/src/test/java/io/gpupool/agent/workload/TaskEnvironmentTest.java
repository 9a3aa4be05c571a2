package io.gpupool.agent.workload;

import static io.gpupool.agent.workload.TaskUpdates.awaitEnded;
import static io.gpupool.agent.workload.TaskUpdates.sh;
import static io.gpupool.agent.workload.TaskUpdates.stdout;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.StartTask;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskUpdate;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workload's environment is an allow-list of the agent's, never a copy: the agent's tokens and
 * passwords stay out of it. The agent's environment is injected, as a JVM cannot change its own.
 */
@Timeout(60)
class TaskEnvironmentTest {

  private static final String SECRET = "s3cret-do-not-leak";

  @TempDir Path stateDir;

  private final List<TaskUpdate> updates = new CopyOnWriteArrayList<>();
  private TaskRunner runner;

  @AfterEach
  void tearDown() {
    if (runner != null) {
      runner.close();
    }
  }

  private static Map<String, String> agentEnvironment() {
    Map<String, String> environment = new HashMap<>();
    environment.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    environment.put("GPUPOOL_JOIN_TOKEN", SECRET);
    environment.put("GPUPOOL_TOKEN", SECRET);
    environment.put("GPUPOOL_STORE_PASSWORD", SECRET);
    environment.put("AWS_SECRET_ACCESS_KEY", SECRET);
    environment.put("LD_PRELOAD", "/tmp/evil.so");
    environment.put("LANG", "C.UTF-8");
    environment.put("LC_TIME", "C");
    environment.put("TZ", "Europe/Paris");
    environment.put("CUDA_MPS_PIPE_DIRECTORY", "/run/mps");
    environment.put("HTTP_PROXY", "http://proxy:3128");
    return environment;
  }

  private TaskRunner runner(WorkloadSettings settings) {
    runner = TaskUpdates.runner(stateDir, Clock.systemUTC(), updates, settings);
    return runner;
  }

  private Map<String, String> environmentOf(String taskId) {
    Map<String, String> environment = new HashMap<>();
    for (String line : stdout(updates, taskId)) {
      int equals = line.indexOf('=');
      if (equals > 0) {
        environment.put(line.substring(0, equals), line.substring(equals + 1));
      }
    }
    return environment;
  }

  @Test
  void theAgentsSecretsNeverReachTheTaskButTheAllowListAndPassedVariablesDo() {
    runner(
            WorkloadSettings.defaults()
                .withAgentEnvironment(agentEnvironment())
                .withPassEnv(Set.of("HTTP_PROXY", "NOT_SET_IN_THE_AGENT")))
        .start("t-env", sh("env", null), List.of(0));

    TaskEnded ended = awaitEnded(updates, "t-env");
    assertThat(ended.getResult().getExitCode()).isZero();
    assertThat(stdout(updates, "t-env")).noneMatch(line -> line.contains(SECRET));
    Map<String, String> environment = environmentOf("t-env");
    assertThat(environment)
        .doesNotContainKeys(
            "GPUPOOL_JOIN_TOKEN",
            "GPUPOOL_TOKEN",
            "GPUPOOL_STORE_PASSWORD",
            "AWS_SECRET_ACCESS_KEY",
            "LD_PRELOAD",
            "NOT_SET_IN_THE_AGENT")
        .containsEntry("PATH", agentEnvironment().get("PATH"))
        .containsEntry("LANG", "C.UTF-8")
        .containsEntry("LC_TIME", "C")
        .containsEntry("TZ", "Europe/Paris")
        .containsEntry("CUDA_MPS_PIPE_DIRECTORY", "/run/mps")
        .containsEntry("HTTP_PROXY", "http://proxy:3128")
        .containsEntry("USER", WorkloadUser.agent().name())
        .containsEntry("LOGNAME", WorkloadUser.agent().name())
        .containsEntry("GPUPOOL_TASK_ID", "t-env")
        .containsEntry("CUDA_VISIBLE_DEVICES", "0")
        .containsKeys("HOME", "GPUPOOL_NOTICE_FILE", "GPUPOOL_GPU_UUIDS", "GPUPOOL_ATTEMPT");
    assertThat(environment.get("TMPDIR"))
        .isEqualTo(stateDir.resolve("tasks").resolve("t-env").resolve("tmp").toString());
  }

  @Test
  void programsAreFoundOnTheAgentsPathOrASafeDefaultPath() {
    Map<String, String> withoutPath = new HashMap<>(agentEnvironment());
    withoutPath.remove("PATH");
    runner(WorkloadSettings.defaults().withAgentEnvironment(withoutPath));

    runner.start(
        "t-path",
        TaskSpec.newBuilder()
            .setCommand(CommandWorkload.newBuilder().addArgv("seq").addArgv("2"))
            .build(),
        List.of());
    runner.start("t-default", sh("echo \"$PATH\"", null), List.of());

    assertThat(awaitEnded(updates, "t-path").getResult().getExitCode()).isZero();
    assertThat(stdout(updates, "t-path")).containsExactly("1", "2");
    awaitEnded(updates, "t-default");
    assertThat(stdout(updates, "t-default")).containsExactly(TaskEnvironment.DEFAULT_PATH);
  }

  @Test
  void theSpecAndTheControllerMaySetAnyVariableOverTheBase() {
    runner(WorkloadSettings.defaults().withAgentEnvironment(agentEnvironment()));
    TaskSpec spec = sh("echo \"$TZ|$MY_VAR|$HOME\"", null);

    runner.start(
        StartTask.newBuilder()
            .setTaskId("t-over")
            .setSpec(
                spec.toBuilder()
                    .setCommand(
                        spec.getCommand().toBuilder()
                            .putEnv("TZ", "UTC")
                            .putEnv("MY_VAR", "spec")
                            .putEnv("HOME", "/spec-home")))
            .putEnv("MY_VAR", "controller")
            .setAttempt(1)
            .build());

    awaitEnded(updates, "t-over");
    assertThat(stdout(updates, "t-over")).containsExactly("UTC|controller|/spec-home");
  }
}
