package io.gpupool.controller;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import io.gpupool.controller.core.Policies;
import io.gpupool.controller.core.Tuning;
import io.gpupool.controller.core.WeightedOrder;
import io.gpupool.controller.loop.LoopSettings;
import io.gpupool.proto.v1.PriorityWeights;
import io.gpupool.proto.v1.SchedulerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The scheduler configuration: defaults, the {@code --scheduler-config} file (proto3 JSON of {@code
 * gpupool.v1.SchedulerConfig}) on top, and its translation into the core's {@link Tuning}.
 */
public final class SchedulerConfigs {
  private SchedulerConfigs() {}

  /** The configuration a controller runs with when nothing is configured. */
  public static SchedulerConfig defaults() {
    WeightedOrder.Weights w = WeightedOrder.Weights.DEFAULT;
    return SchedulerConfig.newBuilder()
        .setPolicy("default")
        .setPriorityWeights(
            PriorityWeights.newBuilder()
                .setCompute(w.compute())
                .setTime(w.time())
                .setMemory(w.memory())
                .setAging(w.aging())
                .setAgingHorizon(Durations.fromMillis(w.agingHorizon().toMillis()))
                .setShortness(w.shortness())
                .setShortnessScale(Durations.fromMillis(w.shortnessScale().toMillis())))
        .setReserveAfterMedianWaits(Tuning.DEFAULT.reserveAfterMedianWaits())
        .putAllScorerWeights(Tuning.DEFAULT.scorerWeights())
        .setPreemptionNotice(Durations.fromSeconds(30))
        .build();
  }

  /**
   * Reads a configuration file; fields it leaves out keep their defaults.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static SchedulerConfig load(Path file) {
    SchedulerConfig.Builder config = SchedulerConfig.newBuilder();
    try {
      JsonFormat.parser().merge(Files.readString(file), config);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "--scheduler-config " + file + ": not a valid SchedulerConfig: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("--scheduler-config " + file + ": " + e.getMessage(), e);
    }
    return effective(config.build());
  }

  /** The defaults, overridden by whatever {@code partial} sets; validated. */
  public static SchedulerConfig effective(SchedulerConfig partial) {
    SchedulerConfig.Builder config = defaults().toBuilder();
    if (!partial.getPolicy().isEmpty()) {
      config.setPolicy(partial.getPolicy());
    }
    if (partial.hasPriorityWeights()) {
      PriorityWeights.Builder weights = config.getPriorityWeights().toBuilder();
      weights.mergeFrom(partial.getPriorityWeights());
      config.setPriorityWeights(weights);
    }
    if (partial.getScorerWeightsCount() > 0) {
      config.clearScorerWeights().putAllScorerWeights(partial.getScorerWeightsMap());
    }
    config.putAllTenantMaxGpus(partial.getTenantMaxGpusMap());
    config.putAllTenantWeights(partial.getTenantWeightsMap());
    if (partial.getPowerBudgetWatts() != 0) {
      config.setPowerBudgetWatts(partial.getPowerBudgetWatts());
    }
    if (partial.hasReserveAfterMedianWaits()) {
      config.setReserveAfterMedianWaits(partial.getReserveAfterMedianWaits());
    }
    if (partial.hasPreemptionNotice()) {
      config.setPreemptionNotice(partial.getPreemptionNotice());
    }
    if (partial.hasIdleUtilizationPercent()) {
      config.setIdleUtilizationPercent(partial.getIdleUtilizationPercent());
    }
    SchedulerConfig result = config.build();
    tuning(result);
    if (!Policies.names().contains(result.getPolicy())) {
      throw new IllegalArgumentException(
          "policy: must be one of "
              + String.join(", ", Policies.names())
              + ", got '"
              + result.getPolicy()
              + "'");
    }
    if (Durations.toMillis(result.getPreemptionNotice()) < 0) {
      throw new IllegalArgumentException("preemption_notice: must not be negative");
    }
    double idle = idleUtilizationPercent(result);
    if (!(idle >= 0 && idle <= 100)) {
      throw new IllegalArgumentException(
          "idle_utilization_percent: must be between 0 and 100, got " + idle);
    }
    return result;
  }

  /** The core's view of a configuration. */
  public static Tuning tuning(SchedulerConfig config) {
    PriorityWeights w = config.getPriorityWeights();
    WeightedOrder.Weights weights;
    try {
      weights =
          new WeightedOrder.Weights(
              w.getCompute(),
              w.getTime(),
              w.getMemory(),
              w.getAging(),
              Duration.ofMillis(Durations.toMillis(w.getAgingHorizon())),
              w.getShortness(),
              Duration.ofMillis(Durations.toMillis(w.getShortnessScale())));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("priority_weights: " + e.getMessage(), e);
    }
    return new Tuning(
        weights,
        config.getScorerWeightsMap(),
        config.getTenantMaxGpusMap(),
        config.getTenantWeightsMap(),
        config.getReserveAfterMedianWaits(),
        config.getPowerBudgetWatts());
  }

  public static Duration preemptionNotice(SchedulerConfig config) {
    return Duration.ofMillis(Durations.toMillis(config.getPreemptionNotice()));
  }

  /** The utilization under which an allocated GPU counts as idle in usage accounting. */
  public static double idleUtilizationPercent(SchedulerConfig config) {
    return config.hasIdleUtilizationPercent()
        ? config.getIdleUtilizationPercent()
        : LoopSettings.DEFAULT_IDLE_UTILIZATION_PERCENT;
  }
}
