package io.gpupool.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import io.gpupool.controller.loop.NodeDirectory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Prometheus page maps labelled Dropwizard names to one metric family with labels. */
@Timeout(60)
class ControllerMetricsTest {
  @Test
  void gaugesOfOneFamilyAreWrittenAsOneMetricWithLabels() throws Exception {
    try (ControllerMetrics metrics = new ControllerMetrics(new NodeDirectory())) {
      Gauge<Integer> one = () -> 1;
      Gauge<Integer> two = () -> 2;
      metrics.registry().register("gpupool.tasks.pending", one);
      metrics.registry().register("gpupool.tasks.running", two);
      metrics.registry().register("gpupool.queue.length.team-a", one);
      metrics.registry().register("gpupool.queue.length.team-b", two);

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      metrics.writePrometheus(out);

      assertThat(out.toString(StandardCharsets.UTF_8))
          .containsOnlyOnce("# TYPE gpupool_tasks gauge")
          .contains("gpupool_tasks{state=\"pending\"} 1.0", "gpupool_tasks{state=\"running\"} 2.0")
          .containsOnlyOnce("# TYPE gpupool_queue_length gauge")
          .contains(
              "gpupool_queue_length{tenant=\"team-a\"} 1.0",
              "gpupool_queue_length{tenant=\"team-b\"} 2.0");
    }
  }
}
