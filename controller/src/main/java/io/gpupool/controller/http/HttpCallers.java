package io.gpupool.controller.http;

import io.gpupool.controller.auth.Authentication;
import io.gpupool.controller.auth.Principal;
import io.gpupool.controller.auth.TokenRegistry;
import io.gpupool.proto.v1.Role;
import java.util.Set;

/**
 * Who calls a JSON endpoint: the same bearer tokens and roles as the gRPC read calls (admins, users
 * and viewers may read; users and viewers see their tenant's tasks only). Thread-safe.
 */
final class HttpCallers {
  private static final Set<Role> READERS =
      Set.of(Role.ROLE_ADMIN, Role.ROLE_USER, Role.ROLE_VIEWER);
  private static final String HOW =
      "send 'Authorization: Bearer <token>' (the dashboard asks for the token once, or open it"
          + " with ?token=...)";

  private final TokenRegistry tokens; // null: authentication is off

  /**
   * @param tokens the registry to authenticate against; null when authentication is off, where
   *     every caller is an admin
   */
  HttpCallers(TokenRegistry tokens) {
    this.tokens = tokens;
  }

  /**
   * The principal of an {@code Authorization} header value (null when absent).
   *
   * @throws ApiError 401 without a valid bearer token, 403 for a role that may not read
   */
  Principal authenticate(String header) {
    if (tokens == null) {
      return Principal.UNAUTHENTICATED_ADMIN;
    }
    if (header == null) {
      throw new ApiError(401, "this endpoint needs a token: " + HOW);
    }
    String value = header.strip();
    int space = value.indexOf(' ');
    String secret = space < 0 ? "" : value.substring(space + 1).strip();
    if (space < 0 || !value.substring(0, space).equalsIgnoreCase("bearer") || secret.isEmpty()) {
      throw new ApiError(401, "the Authorization header is not 'Bearer <token>': " + HOW);
    }
    Authentication authentication = tokens.authenticate(secret);
    if (authentication instanceof Authentication.Refused refused) {
      throw new ApiError(401, refused.reason());
    }
    Principal principal = Principal.of(((Authentication.Accepted) authentication).token());
    if (!READERS.contains(principal.role())) {
      throw new ApiError(
          403,
          "the dashboard needs a token with role admin, user or viewer; token "
              + principal.tokenId()
              + " is not one");
    }
    return principal;
  }
}
