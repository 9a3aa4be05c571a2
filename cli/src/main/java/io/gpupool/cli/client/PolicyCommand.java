package io.gpupool.cli.client;

import io.gpupool.cli.text.TablePrinter;
import io.gpupool.proto.v1.GetSchedulerConfigRequest;
import io.gpupool.proto.v1.SchedulerConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gpupool policy}: the scheduling policy and weights the controller runs with. */
@Command(
    name = "policy",
    description = "Shows the controller's scheduling policy, weights, scorers and quotas.")
public final class PolicyCommand implements Callable<Integer> {
  @Mixin private ControllerOptions controller;

  @Override
  public Integer call() {
    SchedulerConfig config;
    try (ControllerConnection connection = controller.connect()) {
      config =
          connection
              .call()
              .getSchedulerConfig(GetSchedulerConfigRequest.getDefaultInstance())
              .getConfig();
    }
    if (controller.json()) {
      controller.out().println(Json.pretty(config));
    } else {
      var w = config.getPriorityWeights();
      TablePrinter.withoutHeader(2)
          .row("Policy:", config.getPolicy())
          .row(
              "Priority weights:",
              "compute "
                  + w.getCompute()
                  + ", time "
                  + w.getTime()
                  + ", memory "
                  + w.getMemory()
                  + ", aging "
                  + w.getAging()
                  + " per "
                  + ProtoTime.javaDuration(w.getAgingHorizon()))
          .row("Node scorers:", pairs(config.getScorerWeightsMap()))
          .row("Tenant quotas:", pairs(config.getTenantMaxGpusMap()))
          .row("Tenant weights:", pairs(config.getTenantWeightsMap()))
          .row("Preemption notice:", ProtoTime.javaDuration(config.getPreemptionNotice()))
          .print(controller.out());
    }
    controller.out().flush();
    return 0;
  }

  private static String pairs(Map<String, ?> map) {
    return map.isEmpty()
        ? "-"
        : map.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(", "));
  }
}
