package io.gpupool.cli.client;

import io.gpupool.cli.text.TablePrinter;
import io.gpupool.proto.v1.ClearGpuQuarantineRequest;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.Node;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gpupool gpu ...}: admin actions on one GPU of a node. */
@Command(
    name = "gpu",
    mixinStandardHelpOptions = true,
    description = "Acts on one GPU of a node.",
    subcommands = GpuCommand.ClearQuarantine.class)
public final class GpuCommand implements Runnable {
  @Spec private CommandSpec spec;

  /** {@code gpupool gpu} without a subcommand is a usage error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand; see the list below");
  }

  /**
   * {@code gpupool gpu clear-quarantine NODE INDEX}: ends a GPU's quarantine and prints the GPU as
   * {@code gpupool nodes} shows it; {@code -o json} prints the node.
   */
  @Command(
      name = "clear-quarantine",
      description = {
        "Ends a GPU's quarantine so it may get new work again.",
        "If its agent still reports it unhealthy, the next sample quarantines it again."
      })
  public static final class ClearQuarantine implements Callable<Integer> {
    @Mixin private ControllerOptions controller;

    @Parameters(index = "0", paramLabel = "NODE", description = "Node id or name.")
    private String node;

    @Parameters(index = "1", paramLabel = "INDEX", description = "Index of the GPU on the node.")
    private int index;

    @Override
    public Integer call() {
      Node result;
      try (ControllerConnection connection = controller.connect()) {
        result =
            connection
                .call()
                .clearGpuQuarantine(
                    ClearGpuQuarantineRequest.newBuilder()
                        .setNode(node)
                        .setDeviceIndex(index)
                        .build())
                .getNode();
      }
      PrintWriter out = controller.out();
      if (controller.json()) {
        out.println(Json.pretty(result));
      } else {
        String name = result.getName().isEmpty() ? node : result.getName();
        out.println(name + " gpu " + index + ": quarantine cleared");
        result.getGpusList().stream()
            .filter(gpu -> gpu.getInfo().getIndex() == index)
            .findFirst()
            .ifPresent(gpu -> printGpu(gpu, out));
      }
      out.flush();
      return 0;
    }

    private static void printGpu(Gpu gpu, PrintWriter out) {
      TablePrinter.withoutHeader(GpuText.columns()).row(GpuText.cells(gpu)).print(out, "  ");
    }
  }
}
