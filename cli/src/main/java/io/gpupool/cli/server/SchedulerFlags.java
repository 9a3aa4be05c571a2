package io.gpupool.cli.server;

import io.gpupool.controller.SchedulerConfigs;
import io.gpupool.proto.v1.SchedulerConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --scheduler-config FILE} and {@code --policy NAME}, shared by the commands that start a
 * controller.
 */
final class SchedulerFlags {
  @Option(
      names = "--policy",
      description =
          "Scheduling policy: fifo, first-fit, weighted, fair, sjf or default (overrides the config"
              + " file's).")
  String policy;

  @Option(
      names = "--scheduler-config",
      description =
          "JSON file of gpupool.v1.SchedulerConfig: policy, priority and scorer weights, tenant"
              + " quotas and weights, preemption notice, power budget.")
  Path file;

  /** The file's configuration (or the defaults) with {@code --policy} on top when given. */
  SchedulerConfig config() {
    SchedulerConfig config =
        file == null ? SchedulerConfigs.defaults() : SchedulerConfigs.load(file);
    if (policy != null) {
      config = SchedulerConfigs.effective(config.toBuilder().setPolicy(policy).build());
    }
    return config;
  }
}
