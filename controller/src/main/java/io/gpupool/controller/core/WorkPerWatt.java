package io.gpupool.controller.core;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How much work a GPU model does per watt, relative to the most efficient model known here: dense
 * FP16 tensor throughput over board power, from the vendors' published data sheets. Used to prefer
 * efficient GPUs when a task does not care which model it gets.
 *
 * <p>Published figures, not measurements: once the agents' diagnostics report measured throughput
 * per device, that replaces this table.
 */
final class WorkPerWatt {
  /** Model name fragment → dense FP16 tensor TFLOPS per watt (data sheet TFLOPS / board watts). */
  private static final Map<String, Double> TFLOPS_PER_WATT = table();

  /** Models not in the table score in the middle, neither preferred nor avoided. */
  static final double UNKNOWN = 0.5;

  private static final double BEST =
      TFLOPS_PER_WATT.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);

  private WorkPerWatt() {}

  /** Relative efficiency of a model in (0, 1], or {@link #UNKNOWN}. */
  static double of(String model) {
    String name = model.toUpperCase(Locale.ROOT);
    for (Map.Entry<String, Double> entry : TFLOPS_PER_WATT.entrySet()) {
      if (name.contains(entry.getKey())) {
        return entry.getValue() / BEST;
      }
    }
    return UNKNOWN;
  }

  private static Map<String, Double> table() {
    // More specific fragments first: "L40S" before "L4".
    Map<String, Double> table = new LinkedHashMap<>();
    table.put("H200", 989.0 / 700);
    table.put("H100", 989.0 / 700);
    table.put("A100", 312.0 / 400);
    table.put("L40S", 362.0 / 350);
    table.put("L4", 121.0 / 72);
    table.put("V100", 125.0 / 300);
    table.put("T4", 65.0 / 70);
    return table;
  }
}
