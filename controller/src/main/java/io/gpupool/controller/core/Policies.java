package io.gpupool.controller.core;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The scheduling policies by name: what {@code --policy} and the simulator accept. */
public final class Policies {
  private static final Map<String, Supplier<SchedulingPolicy>> BY_NAME = new TreeMap<>();

  static {
    BY_NAME.put("fifo", FirstFitPolicy::new);
  }

  private Policies() {}

  /** The names {@link #create} accepts, sorted. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /**
   * A new instance of the named policy.
   *
   * @throws IllegalArgumentException naming the valid policies when {@code name} is not one
   */
  public static SchedulingPolicy create(String name) {
    Supplier<SchedulingPolicy> factory = BY_NAME.get(name);
    if (factory == null) {
      throw new IllegalArgumentException(
          "unknown policy '" + name + "'; known policies: " + String.join(", ", names()));
    }
    return factory.get();
  }
}
