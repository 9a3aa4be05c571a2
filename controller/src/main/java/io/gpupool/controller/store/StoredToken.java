package io.gpupool.controller.store;

import io.gpupool.proto.v1.Token;
import java.util.Objects;

/**
 * An API token as stored: what it is (without its secret) and the hex SHA-256 of its secret.
 *
 * @param token the token, as {@code AdminService} shows it
 * @param secretHash lower-case hex SHA-256 of the bearer secret
 */
public record StoredToken(Token token, String secretHash) {
  public StoredToken {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(secretHash, "secretHash");
  }

  /** Never shows the hash, so that a logged record cannot help anyone guess the secret. */
  @Override
  public String toString() {
    return "StoredToken[id=" + token.getId() + ", role=" + token.getRole() + "]";
  }
}
