package io.gpupool.agent.workload;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The environment a command workload starts from, before the spec's and the controller's variables
 * and the task's own ({@code GPUPOOL_*}, {@code CUDA_VISIBLE_DEVICES}) are added: not a copy of the
 * agent's environment, which holds the agent's secrets ({@code GPUPOOL_JOIN_TOKEN}, {@code
 * GPUPOOL_TOKEN}, store passwords, cloud credentials), but a short allow-list:
 *
 * <ul>
 *   <li>{@code PATH}: the agent's, or {@value #DEFAULT_PATH} when the agent has none;
 *   <li>{@code HOME}: the run-as user's home when it exists, the task's work dir otherwise; {@code
 *       USER} and {@code LOGNAME}: the run-as user's name; {@code TMPDIR}: the task's own tmp dir;
 *   <li>{@code LANG}, {@code LANGUAGE}, {@code LC_*} and {@code TZ}, when the agent has them;
 *   <li>{@code CUDA_MPS_PIPE_DIRECTORY} and {@code CUDA_MPS_LOG_DIRECTORY}, when the agent has
 *       them, so that workloads find the node's MPS daemon where the agent does;
 *   <li>the variables the agent was told to pass ({@code --pass-env}), when it has them.
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
final class TaskEnvironment {

  /** The PATH of a workload when the agent has none. */
  static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

  private static final Set<String> PASSED =
      Set.of("LANG", "LANGUAGE", "TZ", "CUDA_MPS_PIPE_DIRECTORY", "CUDA_MPS_LOG_DIRECTORY");

  private TaskEnvironment() {}

  /**
   * The allow-listed environment.
   *
   * @param agentEnvironment the agent's environment
   * @param passEnv further names to pass
   * @param user whom the workload runs as
   * @param home its HOME
   * @param tmp its TMPDIR
   */
  static Map<String, String> base(
      Map<String, String> agentEnvironment,
      Set<String> passEnv,
      WorkloadUser user,
      Path home,
      Path tmp) {
    Map<String, String> environment = new TreeMap<>();
    agentEnvironment.forEach(
        (name, value) -> {
          if (PASSED.contains(name) || name.startsWith("LC_") || passEnv.contains(name)) {
            environment.put(name, value);
          }
        });
    String path = agentEnvironment.get("PATH");
    environment.put("PATH", path == null || path.isBlank() ? DEFAULT_PATH : path);
    environment.put("HOME", home.toString());
    environment.put("USER", user.name());
    environment.put("LOGNAME", user.name());
    environment.put("TMPDIR", tmp.toString());
    return environment;
  }
}
