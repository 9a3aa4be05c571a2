package io.gpupool.controller.api;

import io.gpupool.controller.auth.Principal;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.Task;

/** Submits under the caller's tenant. Stateless. */
final class TenantScope {
  private TenantScope() {}

  /**
   * The submit as it is stored: a user's or viewer's spec gets the caller's tenant when it names
   * none; naming another one is PERMISSION_DENIED. Admins submit for any tenant.
   */
  static SubmitTaskRequest submitAs(Principal caller, SubmitTaskRequest request) {
    if (caller.isAdmin()) {
      return request;
    }
    String tenant = request.getSpec().getTenant();
    if (tenant.isEmpty()) {
      return request.toBuilder()
          .setSpec(request.getSpec().toBuilder().setTenant(caller.tenant()))
          .build();
    }
    if (!tenant.equals(caller.tenant())) {
      throw ControllerException.permissionDenied(
          "spec.tenant: token "
              + caller.tokenId()
              + " submits for tenant '"
              + caller.tenant()
              + "' only, not '"
              + tenant
              + "'; leave spec.tenant empty, or ask an admin to submit for that tenant");
    }
    return request;
  }

  /**
   * Refuses a submit whose request id already named another tenant's task, without saying which
   * (task ids do not leak across tenants).
   */
  static void requireOwnRequestId(Principal caller, Task existing, SubmitTaskRequest submit) {
    if (!caller.sees(existing.getSpec())) {
      throw ControllerException.invalid(
          "request_id: '" + submit.getRequestId() + "' is already in use; choose another");
    }
  }
}
