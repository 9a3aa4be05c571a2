package io.gpupool.agent.session;

import com.codahale.metrics.Timer;
import io.gpupool.agent.device.DeviceBackend;
import io.gpupool.agent.device.GpuSample;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the devices on its own thread every sample interval and keeps the latest samples, which
 * heartbeats carry: a slow driver call then delays a sample, never a heartbeat or a task update.
 *
 * <p>Thread-safe. A failing sample is logged and the previous one kept.
 */
final class DeviceSampler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeviceSampler.class);

  private final DeviceBackend backend;
  private final Duration interval;
  private final AtomicReference<List<GpuSample>> latest = new AtomicReference<>();
  private final ScheduledExecutorService thread;
  private final Timer cost;

  DeviceSampler(DeviceBackend backend, Duration interval) {
    this(backend, interval, new Timer());
  }

  /** A sampler that times each sample with {@code cost}. */
  DeviceSampler(DeviceBackend backend, Duration interval, Timer cost) {
    this.cost = cost;
    this.backend = backend;
    this.interval = interval;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread t = new Thread(runnable, "gpupool-agent-sampler");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts sampling: the first sample now, then one every interval. */
  void start() {
    thread.scheduleAtFixedRate(this::sampleNow, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * The latest samples; when none was taken yet (the first heartbeat can come first), takes one on
   * the calling thread.
   */
  List<GpuSample> latest() {
    List<GpuSample> samples = latest.get();
    if (samples == null) {
      sampleNow();
      samples = latest.get();
    }
    return samples == null ? List.of() : samples;
  }

  private void sampleNow() {
    try {
      cost.time(() -> latest.set(List.copyOf(backend.sample())));
    } catch (RuntimeException e) {
      log.warn("sampling the devices failed; heartbeats keep the previous sample", e);
    }
  }

  /** Stops sampling. */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
