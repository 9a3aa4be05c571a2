package io.gpupool.cli.client;

import io.gpupool.proto.v1.CordonNodeRequest;
import io.gpupool.proto.v1.Node;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code gpupool cordon NODE} and {@code gpupool uncordon NODE}: stop or resume placing new tasks
 * on a node; tasks already there keep running.
 */
public abstract class CordonCommand implements Callable<Integer> {
  @Mixin private ControllerOptions controller;

  @Parameters(paramLabel = "NODE", description = "Node id or name.")
  private String node;

  private final boolean cordoned;

  CordonCommand(boolean cordoned) {
    this.cordoned = cordoned;
  }

  @Override
  public Integer call() {
    Node result;
    try (ControllerConnection connection = controller.connect()) {
      result =
          connection
              .call()
              .cordonNode(
                  CordonNodeRequest.newBuilder().setNode(node).setCordoned(cordoned).build())
              .getNode();
    }
    controller
        .out()
        .println(
            controller.json()
                ? Json.pretty(result)
                : result.getName()
                    + (cordoned
                        ? " cordoned: no new tasks; running ones go on"
                        : " uncordoned: schedulable again"));
    controller.out().flush();
    return 0;
  }

  /** {@code gpupool cordon NODE}. */
  @Command(name = "cordon", description = "Stops placing new tasks on a node (running ones go on).")
  public static final class Cordon extends CordonCommand {
    public Cordon() {
      super(true);
    }
  }

  /** {@code gpupool uncordon NODE}. */
  @Command(name = "uncordon", description = "Makes a cordoned node schedulable again.")
  public static final class Uncordon extends CordonCommand {
    public Uncordon() {
      super(false);
    }
  }
}
