package io.gpupool.controller.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.core.DeviceSnapshot;
import io.gpupool.controller.core.NodeSnapshot;
import io.gpupool.controller.core.ResourceRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ClusterSpecTest {

  @Test
  void parsesOneGroup() {
    ClusterSpec spec = ClusterSpec.parse("16x8:V100");

    assertThat(spec.groups()).containsExactly(new ClusterSpec.Group(16, 8, "V100"));
    assertThat(spec.gpus()).isEqualTo(128);
    assertThat(spec.nodeCount()).isEqualTo(16);
    assertThat(spec.spec()).isEqualTo("16x8:V100");
  }

  @Test
  void parsesSeveralGroupsWithSpaces() {
    ClusterSpec spec = ClusterSpec.parse(" 8x8:A100, 8 X 4 : V100 ");

    assertThat(spec.groups())
        .containsExactly(new ClusterSpec.Group(8, 8, "A100"), new ClusterSpec.Group(8, 4, "V100"));
    assertThat(spec.gpus()).isEqualTo(96);
  }

  @Test
  void memoryFollowsTheModel() {
    assertThat(new ClusterSpec.Group(1, 1, "A100").memoryBytes()).isEqualTo(80L << 30);
    assertThat(new ClusterSpec.Group(1, 1, "h100").memoryBytes()).isEqualTo(80L << 30);
    assertThat(new ClusterSpec.Group(1, 1, "V100").memoryBytes()).isEqualTo(32L << 30);
    assertThat(new ClusterSpec.Group(1, 1, "T4").memoryBytes()).isEqualTo(40L << 30);
    assertThat(new ClusterSpec.Group(1, 1, "V100").deviceModel()).isEqualTo("NVIDIA V100 32GB");
  }

  @Test
  void nodesAreReadyFreeAndNumberedInDeclarationOrder() {
    List<NodeSnapshot> nodes = ClusterSpec.parse("9x2:A100,3x1:V100").nodes();

    assertThat(nodes)
        .extracting(NodeSnapshot::id)
        .startsWith("node-01", "node-02")
        .endsWith("node-12");
    assertThat(nodes).extracting(NodeSnapshot::id).isSorted();
    assertThat(nodes).allSatisfy(n -> assertThat(n.ready()).isTrue());
    assertThat(nodes.get(0).devices())
        .containsExactly(
            new DeviceSnapshot(0, "NVIDIA A100 80GB", 80L << 30, true, false),
            new DeviceSnapshot(1, "NVIDIA A100 80GB", 80L << 30, true, false));
    assertThat(nodes.get(11).devices())
        .extracting(DeviceSnapshot::model)
        .containsExactly("NVIDIA V100 32GB");
  }

  @Test
  void largestNodeForARequestMatchesModelsLikeTheCore() {
    ClusterSpec spec = ClusterSpec.parse("2x8:A100,4x4:V100");

    assertThat(spec.largestNodeFor(ResourceRequest.gpus(1))).isEqualTo(8);
    assertThat(spec.largestNodeFor(ResourceRequest.gpus(1, "v100"))).isEqualTo(4);
    assertThat(spec.largestNodeFor(ResourceRequest.gpus(1, "H100"))).isZero();
  }

  @Test
  void badSpecsNameTheBadPart() {
    assertThatThrownBy(() -> ClusterSpec.parse("16x8:V100,4x:A100"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "bad group '4x:A100' in cluster spec '16x8:V100,4x:A100': expected NODESxGPUS:MODEL,"
                + " e.g. 16x8:V100");
    assertThatThrownBy(() -> ClusterSpec.parse("16x8")).hasMessageContaining("bad group '16x8'");
    assertThatThrownBy(() -> ClusterSpec.parse("16x8:V100,")).hasMessageContaining("bad group ''");
    assertThatThrownBy(() -> ClusterSpec.parse("0x8:V100"))
        .hasMessageContaining("bad group '0x8:V100'")
        .hasMessageContaining("node count must be 1 to 100000, got 0");
    assertThatThrownBy(() -> ClusterSpec.parse("2x2000:V100"))
        .hasMessageContaining("GPUs per node must be 1 to 1024, got 2000");
    assertThatThrownBy(() -> ClusterSpec.parse("60000x1:A,60000x1:B"))
        .hasMessageContaining("120000 nodes");
    assertThatThrownBy(() -> ClusterSpec.parse(" "))
        .hasMessageStartingWith("cluster spec is empty");
  }
}
