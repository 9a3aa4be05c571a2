package io.gpupool.controller.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable API tokens, by id. Secrets are never stored, only their hashes.
 *
 * <p>Thread-safe. Every method throws {@link StoreException} when the database fails, and a write
 * of a deposed leader throws {@link LeadershipLostException}; a failed write changed nothing.
 */
public interface TokenStore {

  /** Every token, revoked and expired ones included, in creation order. */
  List<StoredToken> loadTokens();

  /** Adds a token; its id must be new. */
  void insertToken(StoredToken token);

  /**
   * Marks a token revoked at {@code at}, unless it already is (then its first revocation stays).
   *
   * @return the token as stored afterwards; empty when there is no token with this id
   */
  Optional<StoredToken> revokeToken(String id, Instant at);
}
