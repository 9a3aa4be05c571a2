package io.gpupool.controller.auth;

import io.gpupool.proto.v1.Token;

/** What a presented secret turned out to be: an active token, or a refusal saying why. */
public sealed interface Authentication {

  /** The secret belongs to an active (unrevoked, unexpired) token. */
  record Accepted(Token token) implements Authentication {}

  /**
   * The secret is refused.
   *
   * @param tokenId the token it belongs to when it is revoked or expired; empty when the secret
   *     matches no token
   * @param reason what to tell the caller; never contains the secret
   */
  record Refused(String tokenId, String reason) implements Authentication {}
}
