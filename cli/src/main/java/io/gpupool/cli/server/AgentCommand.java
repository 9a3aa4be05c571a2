package io.gpupool.cli.server;

import io.gpupool.agent.Agent;
import io.gpupool.agent.AgentConfig;
import io.gpupool.agent.workload.WorkloadUser;
import io.gpupool.cli.client.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code gpupool agent}: the node agent, registering this machine's GPUs with a controller. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description =
        "Runs the node agent: registers this machine's GPUs and runs the tasks placed on them.")
public final class AgentCommand implements Callable<Integer> {

  @Option(
      names = "--controller",
      defaultValue = "${env:GPUPOOL_CONTROLLER:-localhost:7070}",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      description =
          "Controller address HOST:PORT, or the addresses of a controller and its standbys: the"
              + " agent follows whichever leads (env GPUPOOL_CONTROLLER, default localhost:7070).")
  String controller;

  @Option(
      names = "--join-token",
      required = true,
      defaultValue = "${env:GPUPOOL_JOIN_TOKEN}",
      description = "The controller's join token (env GPUPOOL_JOIN_TOKEN).")
  String joinToken;

  @Option(
      names = "--tls",
      description =
          "Talk TLS to the controller, trusting the JVM's CAs; implied by --tls-ca and --tls-cert.")
  boolean tls;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      defaultValue = "${env:GPUPOOL_TLS_CA}",
      description =
          "CA certificates (PEM) to check the controller's certificate with; implies --tls (env"
              + " GPUPOOL_TLS_CA). With several --controller addresses, every controller's"
              + " certificate must name the first one.")
  Path tlsCa;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      defaultValue = "${env:GPUPOOL_TLS_CERT}",
      description =
          "This node's client certificate (PEM), for a controller with --tls-client-ca; with"
              + " --tls-key (env GPUPOOL_TLS_CERT).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      defaultValue = "${env:GPUPOOL_TLS_KEY}",
      description = "Private key of --tls-cert, unencrypted PKCS#8 PEM (env GPUPOOL_TLS_KEY).")
  Path tlsKey;

  @Option(
      names = "--state-dir",
      required = true,
      description = "Directory for the node identity and task working dirs.")
  Path stateDir;

  @Option(names = "--name", description = "Node name (default: the host name).")
  String name;

  @Option(
      names = "--simulate",
      description =
          "Run with simulated GPUs instead of real ones, e.g. 8xA100-80GB or 2xH100-80GB,1xT4-16GB.")
  String simulate;

  @Option(
      names = "--nvml-library",
      defaultValue = "${env:GPUPOOL_NVML_LIBRARY}",
      description =
          "Path of libnvidia-ml.so.1 (env GPUPOOL_NVML_LIBRARY; default: search the usual places).")
  Path nvmlLibrary;

  @Option(
      names = "--labels",
      split = ",",
      paramLabel = "KEY=VALUE",
      description = "Node labels tasks can select with --node-selector, e.g. zone=eu,rack=7.")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(
      names = "--heartbeat-interval",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description =
          "Heartbeat interval unless the controller says otherwise (default: ${DEFAULT-VALUE}).")
  Duration heartbeatInterval;

  @Option(
      names = "--sample-interval",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description =
          "How often the agent samples its GPUs' telemetry; heartbeats carry the latest sample"
              + " (default: ${DEFAULT-VALUE}).")
  Duration sampleInterval;

  @Option(
      names = "--stop-work-after-disconnect",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Stop the running tasks once the controller has been unreachable this long (they end"
              + " with reason CONTROLLER_UNREACHABLE); set it below the controller's node-lost"
              + " deadline so that no task runs twice at once (default: keep running).")
  Duration stopWorkAfterDisconnect;

  // --- How tasks run: as whom, seeing what, saying how much (issue 6, agent side). ---

  /** Whom tasks run as when an agent running as root is not told otherwise. */
  static final String ROOT_DEFAULT_RUN_AS = "nobody";

  @Option(
      names = "--run-as",
      paramLabel = "USER",
      description =
          "User (name or uid) the tasks run as (default: "
              + ROOT_DEFAULT_RUN_AS
              + " when the agent runs as root, the agent's own user otherwise). Only an agent"
              + " running as root can run tasks as another user; --run-as root works but logs a"
              + " warning.")
  String runAs;

  @Option(
      names = "--pass-env",
      split = ",",
      paramLabel = "NAME",
      description =
          "Variables of the agent's environment that tasks get besides PATH, LANG, LC_*, TZ and"
              + " the MPS directories, e.g. LD_LIBRARY_PATH,HTTP_PROXY (default: none; the"
              + " agent's own variables, its tokens among them, never reach tasks).")
  List<String> passEnv = new ArrayList<>();

  @Option(
      names = "--max-task-output-bytes",
      paramLabel = "BYTES",
      defaultValue = "1GiB",
      converter = ByteSizeConverter.class,
      description =
          "Output (stdout and stderr together) a task may send in all, e.g. 512MiB; past it lines"
              + " are dropped after one marker line (default: ${DEFAULT-VALUE}).")
  long maxTaskOutputBytes;

  @Option(
      names = "--task-log-lines-per-second",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "Lines per second a task may send, in bursts of up to a second's worth; the excess is"
              + " dropped and counted in a marker line (default: ${DEFAULT-VALUE}).")
  int taskLogLinesPerSecond;

  @Option(
      names = "--task-log-bytes-per-second",
      paramLabel = "BYTES",
      defaultValue = "1MiB",
      converter = ByteSizeConverter.class,
      description = "Bytes per second a task may send (default: ${DEFAULT-VALUE}).")
  long taskLogBytesPerSecond;

  /**
   * The user tasks run as: the one asked for, else nobody for an agent running as root, else the
   * agent's own user (null). The agent refuses another user when it is not root.
   */
  static String runAsFor(String requested, long agentUid) {
    if (requested != null) {
      return requested;
    }
    return agentUid == 0 ? ROOT_DEFAULT_RUN_AS : null;
  }

  /** A byte count, with an optional binary unit: 4096, 64KiB, 512MiB, 1GiB. */
  static final class ByteSizeConverter implements ITypeConverter<Long> {
    private static final Pattern SIZE =
        Pattern.compile("(\\d{1,18})\\s*(B|KiB|MiB|GiB|TiB)?", Pattern.CASE_INSENSITIVE);

    @Override
    public Long convert(String value) {
      Matcher matcher = SIZE.matcher(value.trim());
      if (!matcher.matches()) {
        throw new TypeConversionException(
            "'" + value + "' is not a size: give bytes, or a number with KiB, MiB, GiB or TiB");
      }
      long number = Long.parseLong(matcher.group(1));
      String unit = matcher.group(2) == null ? "B" : matcher.group(2).toUpperCase(Locale.ROOT);
      int shift =
          switch (unit) {
            case "KIB" -> 10;
            case "MIB" -> 20;
            case "GIB" -> 30;
            case "TIB" -> 40;
            default -> 0;
          };
      if (number > (Long.MAX_VALUE >> shift)) {
        throw new TypeConversionException("'" + value + "' is too large");
      }
      return number << shift;
    }
  }

  @Override
  public Integer call() throws Exception {
    AgentConfig config = config().build();
    Agent agent = Agent.start(config);
    System.out.println(
        "gpupool agent: node "
            + agent.nodeId()
            + " registered with "
            + controller
            + (config.tls() ? " over TLS" : "")
            + "; "
            + agent.devices().description());
    UntilInterrupted.await(List.of(agent));
    return 0;
  }

  /** The agent these flags describe; {@code build()} validates, naming the flag. */
  AgentConfig.Builder config() {
    AgentConfig.Builder config =
        AgentConfig.builder()
            .controllerTarget(controller)
            .joinToken(joinToken)
            .stateDir(stateDir)
            .simulate(simulate)
            .nvmlLibrary(nvmlLibrary)
            .heartbeatInterval(heartbeatInterval)
            .sampleInterval(sampleInterval)
            .stopWorkAfterDisconnect(stopWorkAfterDisconnect)
            .labels(labels)
            .tls(tls)
            .tlsCa(given(tlsCa))
            .tlsCert(given(tlsCert))
            .tlsKey(given(tlsKey));
    config
        .runAs(runAsFor(runAs, WorkloadUser.agent().uid()))
        .passEnv(Set.copyOf(passEnv))
        .maxTaskOutputBytes(maxTaskOutputBytes)
        .taskLogLinesPerSecond(taskLogLinesPerSecond)
        .taskLogBytesPerSecond(taskLogBytesPerSecond);
    if (name != null) {
      config.nodeName(name);
    }
    return config;
  }

  /** An empty environment variable counts as not given. */
  private static Path given(Path file) {
    return file == null || file.toString().isEmpty() ? null : file;
  }
}
