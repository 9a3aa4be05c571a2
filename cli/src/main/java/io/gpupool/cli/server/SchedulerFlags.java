package io.gpupool.cli.server;

import io.gpupool.controller.SchedulerConfigs;
import io.gpupool.proto.v1.SchedulerConfig;
import java.nio.file.Path;

/** {@code --scheduler-config FILE} and {@code --policy NAME}, as one scheduler configuration. */
final class SchedulerFlags {
  private SchedulerFlags() {}

  /** The file's configuration (or the defaults) with {@code --policy} on top when given. */
  static SchedulerConfig config(Path file, String policy) {
    SchedulerConfig config =
        file == null ? SchedulerConfigs.defaults() : SchedulerConfigs.load(file);
    if (policy != null) {
      config = SchedulerConfigs.effective(config.toBuilder().setPolicy(policy).build());
    }
    return config;
  }
}
