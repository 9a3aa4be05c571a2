package io.gpupool.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The controller checks a cuda_kernel at submit and the agent checks it again before it touches the
 * driver; each module keeps the limits of task.proto in its own {@code KernelLimits} (neither
 * depends on the other). This keeps the two copies from drifting apart.
 */
@Timeout(30)
class KernelLimitsAgreeIT {

  @Test
  void theControllerAndTheAgentEnforceTheSameKernelLimits() throws Exception {
    Map<String, Object> controller = limits(io.gpupool.controller.api.KernelLimits.class);
    Map<String, Object> agent = limits(io.gpupool.agent.cuda.KernelLimits.class);

    assertThat(controller).hasSizeGreaterThanOrEqualTo(13);
    assertThat(agent).isEqualTo(controller);
  }

  private static Map<String, Object> limits(Class<?> type) throws IllegalAccessException {
    Map<String, Object> limits = new TreeMap<>();
    for (Field field : type.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getName().startsWith("MAX_")) {
        limits.put(field.getName(), field.get(null));
      }
    }
    return limits;
  }
}
