package io.gpupool.cli.client;

import io.gpupool.proto.v1.Role;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a role as users type it: {@code admin}, {@code user}, {@code viewer}, {@code agent} (or the
 * wire names, {@code ROLE_ADMIN} ...), in any case. Stateless, thread-safe.
 */
public final class RoleConverter implements ITypeConverter<Role> {
  @Override
  public Role convert(String value) {
    String name = value.strip().toUpperCase(Locale.ROOT);
    String wire = name.startsWith("ROLE_") ? name : "ROLE_" + name;
    for (Role role : Role.values()) {
      if (role != Role.ROLE_UNSPECIFIED && role != Role.UNRECOGNIZED && role.name().equals(wire)) {
        return role;
      }
    }
    throw new TypeConversionException(
        "'" + value + "' is not a role; valid: admin, user, viewer, agent");
  }

  /** {@code admin} for {@code ROLE_ADMIN}; {@code -} when unset. */
  static String label(Role role) {
    return switch (role) {
      case ROLE_ADMIN, ROLE_USER, ROLE_VIEWER, ROLE_AGENT ->
          role.name().substring("ROLE_".length()).toLowerCase(Locale.ROOT);
      case ROLE_UNSPECIFIED, UNRECOGNIZED -> "-";
    };
  }
}
