package io.gpupool.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.agent.device.GpuDevice;
import io.gpupool.agent.device.GpuProcessUsage;
import io.gpupool.agent.device.GpuSample;
import io.gpupool.proto.v1.DeviceInfo;
import io.gpupool.proto.v1.DeviceStatus;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DeviceMessagesTest {

  @Test
  void unknownMeasurementsStayUnsetOnTheWire() {
    DeviceStatus status = DeviceMessages.status(GpuSample.builder(3).memoryUsedBytes(7).build());

    assertThat(status.getIndex()).isEqualTo(3);
    assertThat(status.getMemoryUsedBytes()).isEqualTo(7);
    assertThat(status.hasUtilizationPercent()).isFalse();
    assertThat(status.hasMemoryUtilizationPercent()).isFalse();
    assertThat(status.hasPowerWatts()).isFalse();
    assertThat(status.hasPowerLimitWatts()).isFalse();
    assertThat(status.hasTemperatureCelsius()).isFalse();
    assertThat(status.hasEccCorrectedVolatile()).isFalse();
    assertThat(status.hasEccUncorrectedVolatile()).isFalse();
    assertThat(status.hasNvlinkActiveLinks()).isFalse();
    assertThat(status.getHealthy()).isTrue();
    assertThat(status.getHealthReason()).isEmpty();
  }

  @Test
  void knownMeasurementsProcessesAndHealthAreCarried() {
    GpuSample sample =
        GpuSample.builder(0)
            .utilizationPercent(50)
            .memoryUtilizationPercent(25)
            .powerWatts(300)
            .powerLimitWatts(700)
            .temperatureCelsius(60)
            .eccVolatile(4, 1)
            .nvlinkActiveLinks(18)
            .processes(List.of(new GpuProcessUsage(10, 1024), new GpuProcessUsage(11, -1)))
            .unhealthy("1 uncorrected ECC errors (volatile)")
            .build();

    DeviceStatus status = DeviceMessages.status(sample);

    assertThat(status.getUtilizationPercent()).isEqualTo(50);
    assertThat(status.getMemoryUtilizationPercent()).isEqualTo(25);
    assertThat(status.getPowerWatts()).isEqualTo(300);
    assertThat(status.getPowerLimitWatts()).isEqualTo(700);
    assertThat(status.getTemperatureCelsius()).isEqualTo(60);
    assertThat(status.getEccCorrectedVolatile()).isEqualTo(4);
    assertThat(status.getEccUncorrectedVolatile()).isEqualTo(1);
    assertThat(status.getNvlinkActiveLinks()).isEqualTo(18);
    assertThat(status.getProcessesList()).hasSize(2);
    assertThat(status.getProcesses(0).getUsedMemoryBytes()).isEqualTo(1024);
    assertThat(status.getProcesses(1).getPid()).isEqualTo(11);
    assertThat(status.getProcesses(1).hasUsedMemoryBytes()).isFalse();
    assertThat(status.getHealthy()).isFalse();
    assertThat(status.getHealthReason()).isEqualTo("1 uncorrected ECC errors (volatile)");
  }

  @Test
  void deviceInfoCarriesPciBusComputeCapabilityAndMultiprocessors() {
    DeviceInfo info =
        DeviceMessages.info(
            new GpuDevice(
                1, "GPU-1", "H100", 1L << 30, false, "nvswitch", 700, "0:3B", "9.0", 132));

    assertThat(info.getPciBusId()).isEqualTo("0:3B");
    assertThat(info.getComputeCapability()).isEqualTo("9.0");
    assertThat(info.getMultiprocessorCount()).isEqualTo(132);
    assertThat(info.getInterconnectGroup()).isEqualTo("nvswitch");
  }
}
