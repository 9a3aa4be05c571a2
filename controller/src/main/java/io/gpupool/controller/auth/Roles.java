package io.gpupool.controller.auth;

import io.gpupool.proto.v1.Role;
import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;

/** Role names as users type and read them: {@code admin}, {@code user}, ... Stateless. */
public final class Roles {
  private Roles() {}

  /** {@code admin} for {@code ROLE_ADMIN}; {@code none} for unspecified. */
  public static String name(Role role) {
    return switch (role) {
      case ROLE_ADMIN, ROLE_USER, ROLE_VIEWER, ROLE_AGENT ->
          role.name().substring("ROLE_".length()).toLowerCase(Locale.ROOT);
      case ROLE_UNSPECIFIED, UNRECOGNIZED -> "none";
    };
  }

  /** {@code admin or user} for a set of roles, in enum order. */
  static String names(Collection<Role> roles) {
    return roles.stream().sorted().map(Roles::name).collect(Collectors.joining(" or "));
  }
}
