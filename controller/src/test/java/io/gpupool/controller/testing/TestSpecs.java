package io.gpupool.controller.testing;

import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.TaskSpec;

/** Fluent task specs for tests. */
public final class TestSpecs {
  private TestSpecs() {}

  /** A valid spec running {@code true} on one GPU. */
  public static TaskSpec.Builder gpuTask() {
    return TaskSpec.newBuilder()
        .setName("test")
        .setCommand(CommandWorkload.newBuilder().addArgv("true"))
        .setResources(Resources.newBuilder().setGpus(1));
  }

  public static TaskSpec gpuTask(int gpus) {
    return gpuTask().setResources(Resources.newBuilder().setGpus(gpus)).build();
  }
}
