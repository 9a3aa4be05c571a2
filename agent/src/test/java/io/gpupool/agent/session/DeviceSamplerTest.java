package io.gpupool.agent.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.agent.device.GpuDevice;
import io.gpupool.agent.device.GpuSample;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DeviceSamplerTest {

  /** Counts its samples and reports the count as the utilization. */
  private static final class CountingBackend implements DeviceBackend {
    final AtomicInteger samples = new AtomicInteger();

    @Override
    public List<GpuDevice> devices() {
      return List.of();
    }

    @Override
    public List<GpuSample> sample() {
      return List.of(GpuSample.builder(0).utilizationPercent(samples.incrementAndGet()).build());
    }

    @Override
    public String description() {
      return "counting";
    }

    @Override
    public boolean isSimulated() {
      return true;
    }
  }

  @Test
  void latestReturnsTheLastSampleWithoutSamplingAgain() {
    CountingBackend backend = new CountingBackend();
    try (DeviceSampler sampler = new DeviceSampler(backend, Duration.ofHours(1))) {
      sampler.start();
      await().until(() -> backend.samples.get() == 1);

      for (int i = 0; i < 5; i++) {
        assertThat(sampler.latest().get(0).utilizationPercent()).isEqualTo(1.0);
      }
      assertThat(backend.samples).hasValue(1);
    }
  }

  @Test
  void samplesEveryInterval() {
    CountingBackend backend = new CountingBackend();
    try (DeviceSampler sampler = new DeviceSampler(backend, Duration.ofMillis(10))) {
      sampler.start();

      await().until(() -> sampler.latest().get(0).utilizationPercent() >= 5);
    }
  }

  @Test
  void latestSamplesOnceWhenNothingWasSampledYet() {
    CountingBackend backend = new CountingBackend();
    try (DeviceSampler sampler = new DeviceSampler(backend, Duration.ofHours(1))) {
      assertThat(sampler.latest()).hasSize(1);
      assertThat(backend.samples).hasValue(1);
    }
  }
}
