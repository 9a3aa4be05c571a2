package io.gpupool.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import io.gpupool.proto.v1.Gpu;
import io.gpupool.proto.v1.ListNodesResponse;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.NodeState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TopViewTest {
  private static final ListNodesResponse ONE_GPU =
      ListNodesResponse.newBuilder()
          .addNodes(
              Node.newBuilder()
                  .setName("node-with-a-long-name")
                  .setState(NodeState.NODE_STATE_READY)
                  .addGpus(
                      Gpu.newBuilder()
                          .setInfo(
                              DeviceInfo.newBuilder()
                                  .setModel("NVIDIA H100 80GB HBM3")
                                  .setMemoryTotalBytes(80L << 30))
                          .setStatus(DeviceStatus.newBuilder().setUtilizationPercent(57))))
          .build();

  @Test
  void everyLineFitsTheWidth() {
    List<String> lines = TopView.render(ONE_GPU, 0, 30);

    assertThat(lines).hasSize(4).allMatch(line -> line.length() <= 30);
    assertThat(lines.get(3)).startsWith("node-with-a-long-name  0");
  }

  @Test
  void emptyClusterShowsZeroTotalsAndUnknownUtilization() {
    assertThat(TopView.header(ListNodesResponse.getDefaultInstance(), 5))
        .isEqualTo(
            "nodes 0 (0 ready)  GPUs 0/0 busy  util -  memory 0.0/0.0 GiB  power 0 W  queue 5");
  }
}
