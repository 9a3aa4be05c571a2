package io.gpupool.controller.store;

import io.gpupool.proto.v1.TaskSpec;

/**
 * Which tenant a task belongs to: its spec's tenant, or {@value #DEFAULT} when the spec names none.
 * The store keeps it in a column so that a tenant's tasks are listed in the database; access
 * control compares it with the caller's tenant. Stateless.
 */
public final class Tenants {
  /** The tenant of tasks whose spec names none. */
  public static final String DEFAULT = "default";

  private Tenants() {}

  /** The tenant a task with this spec belongs to. */
  public static String of(TaskSpec spec) {
    return spec.getTenant().isEmpty() ? DEFAULT : spec.getTenant();
  }
}
