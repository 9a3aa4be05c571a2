package io.gpupool.cli.server;

import io.gpupool.agent.Agent;
import io.gpupool.agent.AgentConfig;
import io.gpupool.cli.client.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
