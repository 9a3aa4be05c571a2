package io.gpupool.controller.auth;

import io.gpupool.controller.store.Tenants;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.Token;
import io.grpc.Context;
import java.util.Objects;

/**
 * Who makes a call: the id of the token it presented, that token's tenant and its role. The {@link
 * AuthInterceptor} binds one to the gRPC {@link Context} of every call it lets through; services
 * read it with {@link #current()}. Immutable.
 *
 * @param tokenId the token's public id; empty when authentication is off
 * @param tenant the token's tenant; empty for admin and agent tokens
 * @param role what the token may do
 */
public record Principal(String tokenId, String tenant, Role role) {
  /**
   * The caller when authentication is off, and of calls served without the interceptor (services
   * embedded in tests): an admin without a token.
   */
  public static final Principal UNAUTHENTICATED_ADMIN = new Principal("", "", Role.ROLE_ADMIN);

  private static final Context.Key<Principal> KEY = Context.key("gpupool-principal");

  public Principal {
    Objects.requireNonNull(tokenId, "tokenId");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(role, "role");
  }

  /** The principal of a token. */
  public static Principal of(Token token) {
    return new Principal(token.getId(), token.getTenant(), token.getRole());
  }

  /**
   * The principal of the call this thread serves; {@link #UNAUTHENTICATED_ADMIN} when none is bound
   * (the controller always binds one, with authentication on or off).
   */
  public static Principal current() {
    Principal principal = KEY.get();
    return principal == null ? UNAUTHENTICATED_ADMIN : principal;
  }

  /** {@code context} with this principal bound. */
  Context bindTo(Context context) {
    return context.withValue(KEY, this);
  }

  /** True for admins, who see and act on every tenant's tasks. */
  public boolean isAdmin() {
    return role == Role.ROLE_ADMIN;
  }

  /** The only tenant whose tasks this caller sees; null when it sees every tenant's. */
  public String tenantScope() {
    return isAdmin() ? null : tenant;
  }

  /** True when this caller may see a task with this spec. */
  public boolean sees(TaskSpec spec) {
    return isAdmin() || tenant.equals(Tenants.of(spec));
  }

  /** For logs: the token id, never anything secret. */
  @Override
  public String toString() {
    return (tokenId.isEmpty() ? "(no token)" : "token " + tokenId)
        + " ("
        + Roles.name(role)
        + (tenant.isEmpty() ? "" : ", tenant " + tenant)
        + ")";
  }
}
