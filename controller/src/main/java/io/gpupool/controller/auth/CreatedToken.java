package io.gpupool.controller.auth;

import io.gpupool.proto.v1.Token;

/**
 * A token just created, with its secret: the only time the secret exists outside its holder.
 *
 * @param token the stored token, without secret
 * @param secret the bearer secret
 */
public record CreatedToken(Token token, String secret) {
  /** Never shows the secret. */
  @Override
  public String toString() {
    return "CreatedToken[id=" + token.getId() + "]";
  }
}
