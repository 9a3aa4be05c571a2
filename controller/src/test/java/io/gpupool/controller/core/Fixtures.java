package io.gpupool.controller.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/** Fluent builders for core inputs (kube's MakePod style). */
final class Fixtures {
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  private Fixtures() {}

  static NodeSnapshot node(String id, int gpus, Set<Integer> allocated) {
    return node(id, gpus, allocated, Map.of(), "NVIDIA H100 80GB");
  }

  static NodeSnapshot node(
      String id, int gpus, Set<Integer> allocated, Map<String, String> labels, String model) {
    List<DeviceSnapshot> devices = new ArrayList<>();
    for (int i = 0; i < gpus; i++) {
      devices.add(new DeviceSnapshot(i, model, 80L << 30, true, allocated.contains(i)));
    }
    return new NodeSnapshot(id, id, true, labels, devices);
  }

  static TaskBuilder task(String id, long sequence) {
    return new TaskBuilder(id, sequence);
  }

  static RunningTask running(
      String id, String node, List<Integer> devices, Duration estimate, Duration elapsed) {
    TaskProfile profile =
        new TaskProfile("default", id, 0, false, 0, 0, 0, Optional.ofNullable(estimate));
    return new RunningTask(
        id,
        node,
        devices,
        ResourceRequest.gpus(devices.size()),
        profile,
        NOW.minus(elapsed),
        OptionalDouble.empty());
  }

  /** Builds a pending task. */
  static final class TaskBuilder {
    private final String id;
    private final long sequence;
    private int gpus = 1;
    private String model = "";
    private long minMemory;
    private Map<String, String> selector = Map.of();
    private String tenant = "default";
    private int priority;
    private double c;
    private double t;
    private double m;
    private Duration estimate;
    private Duration waited = Duration.ZERO;

    TaskBuilder(String id, long sequence) {
      this.id = id;
      this.sequence = sequence;
    }

    TaskBuilder gpus(int gpus) {
      this.gpus = gpus;
      return this;
    }

    TaskBuilder model(String model) {
      this.model = model;
      return this;
    }

    TaskBuilder minMemory(long bytes) {
      this.minMemory = bytes;
      return this;
    }

    TaskBuilder selector(Map<String, String> selector) {
      this.selector = selector;
      return this;
    }

    TaskBuilder tenant(String tenant) {
      this.tenant = tenant;
      return this;
    }

    TaskBuilder priority(int priority) {
      this.priority = priority;
      return this;
    }

    TaskBuilder hints(double c, double t, double m) {
      this.c = c;
      this.t = t;
      this.m = m;
      return this;
    }

    TaskBuilder estimate(Duration estimate) {
      this.estimate = estimate;
      return this;
    }

    TaskBuilder waited(Duration waited) {
      this.waited = waited;
      return this;
    }

    PendingTask build() {
      return new PendingTask(
          id,
          sequence,
          new ResourceRequest(gpus, model, minMemory, selector),
          new TaskProfile(tenant, id, priority, false, c, t, m, Optional.ofNullable(estimate)),
          NOW.minus(waited));
    }
  }
}
