package io.gpupool.agent.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SimulatedBackendTest {

  private static final SimulateSpec SPEC = SimulateSpec.parse("2xH100-80GB,1xT4-16GB");

  @Test
  void listsTheDeclaredDevicesIndexedAcrossGroups() {
    SimulatedBackend backend = new SimulatedBackend(SPEC, "node-a", 1);

    assertThat(backend.devices())
        .extracting(GpuDevice::index, GpuDevice::model, GpuDevice::memoryTotalBytes)
        .containsExactly(
            tuple(0, "NVIDIA H100 80GB", 80L << 30),
            tuple(1, "NVIDIA H100 80GB", 80L << 30),
            tuple(2, "NVIDIA T4 16GB", 16L << 30));
    assertThat(backend.devices()).allMatch(GpuDevice::simulated);
    assertThat(backend.isSimulated()).isTrue();
    assertThat(backend.description())
        .isEqualTo("simulated: 2x NVIDIA H100 80GB, 1x NVIDIA T4 16GB");
  }

  @Test
  void uuidsAreStableForTheSameNodeAndDistinctOtherwise() {
    List<GpuDevice> first = new SimulatedBackend(SPEC, "node-a", 1).devices();
    List<GpuDevice> again = new SimulatedBackend(SPEC, "node-a", 99).devices();
    List<GpuDevice> other = new SimulatedBackend(SPEC, "node-b", 1).devices();

    assertThat(first).extracting(GpuDevice::uuid).allMatch(u -> u.startsWith("SIM-"));
    assertThat(first).extracting(GpuDevice::uuid).doesNotHaveDuplicates();
    assertThat(again)
        .extracting(GpuDevice::uuid)
        .isEqualTo(first.stream().map(GpuDevice::uuid).toList());
    assertThat(other)
        .extracting(GpuDevice::uuid)
        .doesNotContainAnyElementsOf(first.stream().map(GpuDevice::uuid).toList());
  }

  @Test
  void busyDevicesReportLoadMemoryPowerAndHeatIdleOnesDoNot() {
    SimulatedBackend backend = new SimulatedBackend(SPEC, "node-a", 1);
    backend.workStarted(List.of(0, 2));

    List<GpuSample> samples = List.of();
    for (int i = 0; i < 10; i++) {
      samples = backend.sample();
    }

    GpuSample busyH100 = samples.get(0);
    GpuSample idleH100 = samples.get(1);
    GpuSample busyT4 = samples.get(2);
    assertThat(busyH100.utilizationPercent()).isBetween(95.0, 100.0);
    assertThat(busyH100.memoryUsedBytes()).isGreaterThan(40L << 30).isLessThanOrEqualTo(80L << 30);
    assertThat(busyH100.powerWatts()).isBetween(580.0, 700.0);
    assertThat(busyT4.powerWatts()).isBetween(250.0, 300.0);
    assertThat(busyH100.temperatureCelsius()).isGreaterThan(idleH100.temperatureCelsius() + 25);
    assertThat(idleH100.utilizationPercent()).isZero();
    assertThat(idleH100.memoryUsedBytes()).isZero();
    assertThat(idleH100.powerWatts()).isLessThan(80);
    assertThat(samples).allMatch(GpuSample::healthy);
  }

  @Test
  void a100DrawsNearItsOwnTdp() {
    SimulatedBackend backend = new SimulatedBackend(SimulateSpec.parse("1xA100-40GB"), "n", 3);
    backend.workStarted(List.of(0));

    assertThat(backend.sample().get(0).powerWatts()).isBetween(330.0, 400.0);
  }

  @Test
  void devicesCoolDownWhenWorkEnds() {
    SimulatedBackend backend = new SimulatedBackend(SPEC, "node-a", 1);
    backend.workStarted(List.of(0));
    for (int i = 0; i < 10; i++) {
      backend.sample();
    }
    double hot = backend.sample().get(0).temperatureCelsius();

    backend.workEnded(List.of(0));
    GpuSample first = backend.sample().get(0);
    for (int i = 0; i < 10; i++) {
      backend.sample();
    }
    GpuSample later = backend.sample().get(0);

    assertThat(first.utilizationPercent()).isZero();
    assertThat(first.temperatureCelsius()).isLessThan(hot);
    assertThat(later.temperatureCelsius()).isLessThan(first.temperatureCelsius());
  }

  @Test
  void busyCountsNestSoADeviceStaysBusyUntilTheLastTaskEnds() {
    SimulatedBackend backend = new SimulatedBackend(SPEC, "node-a", 1);
    backend.workStarted(List.of(1));
    backend.workStarted(List.of(1));

    backend.workEnded(List.of(1));
    assertThat(backend.sample().get(1).utilizationPercent()).isGreaterThan(90);

    backend.workEnded(List.of(1));
    assertThat(backend.sample().get(1).utilizationPercent()).isZero();
  }

  @Test
  void samplesAreDeterministicForASeed() {
    SimulatedBackend a = new SimulatedBackend(SPEC, "node-a", 42);
    SimulatedBackend b = new SimulatedBackend(SPEC, "node-a", 42);
    a.workStarted(List.of(1));
    b.workStarted(List.of(1));

    for (int i = 0; i < 5; i++) {
      assertThat(a.sample()).isEqualTo(b.sample());
    }
  }

  @Test
  void unknownIndicesAreIgnored() {
    SimulatedBackend backend = new SimulatedBackend(SPEC, "node-a", 1);
    backend.workStarted(List.of(-1, 7));
    backend.workEnded(List.of(-1, 7, 0));

    assertThat(backend.sample()).allMatch(s -> s.utilizationPercent() == 0);
  }

  @Test
  void eachGroupOfTheSpecIsOneNvlinkIslandWithTheModelsPowerLimit() {
    SimulatedBackend backend =
        new SimulatedBackend(SimulateSpec.parse("2xH100-80GB,2xA100-40GB"), "node", 1);

    assertThat(backend.devices())
        .extracting(GpuDevice::interconnectGroup)
        .containsExactly("island-0", "island-0", "island-1", "island-1");
    assertThat(backend.devices().get(0).powerLimitWatts()).isEqualTo(700);
    assertThat(backend.devices().get(2).powerLimitWatts()).isEqualTo(400);
  }

  @Test
  void powerFollowsUtilizationAndEveryMeasurementIsKnown() {
    SimulatedBackend backend = new SimulatedBackend(SPEC, "node-a", 1);
    GpuSample idle = backend.sample().get(0);
    backend.workStarted(List.of(0));
    GpuSample busy = backend.sample().get(0);

    assertThat(busy.utilizationPercent()).isGreaterThan(idle.utilizationPercent());
    assertThat(busy.memoryUtilizationPercent()).isGreaterThan(idle.memoryUtilizationPercent());
    assertThat(busy.memoryUsedBytes()).isGreaterThan(idle.memoryUsedBytes());
    assertThat(busy.powerWatts()).isGreaterThan(idle.powerWatts() * 5);
    assertThat(busy.powerWatts() / busy.powerLimitWatts())
        .isCloseTo(0.1 + 0.87 * busy.utilizationPercent() / 100, within(0.011));
    for (GpuSample s : List.of(idle, busy)) {
      assertThat(s.powerLimitWatts()).isEqualTo(700);
      assertThat(GpuSample.known(s.temperatureCelsius())).isTrue();
      assertThat(s.eccCorrectedVolatile()).isZero();
      assertThat(s.eccUncorrectedVolatile()).isZero();
      assertThat(s.nvlinkActiveLinks()).isPositive();
      assertThat(s.healthReason()).isEmpty();
    }
    assertThat(backend.sample().get(2).nvlinkActiveLinks()).isEqualTo(GpuSample.UNKNOWN);
  }
}
