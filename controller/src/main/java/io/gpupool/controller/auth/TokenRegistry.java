package io.gpupool.controller.auth;

import io.gpupool.controller.state.Credentials;
import io.gpupool.controller.state.Timestamps;
import io.gpupool.controller.store.StoredToken;
import io.gpupool.controller.store.TokenStore;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.Token;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API tokens: created with a random secret of which only the SHA-256 is stored, looked up by
 * the id the secret carries, compared in constant time, expired on the injected clock, revoked at
 * once.
 *
 * <p>Every token is held in memory, loaded when the controller starts to serve, so that a call
 * costs a map lookup and one hash, not a query. That is exact because only the serving controller
 * writes tokens: on H2 there is one, on PostgreSQL the leader (a standby loads afresh when it takes
 * over).
 *
 * <p>Thread-safe. Writes go to the store first, then to memory; a write the store refuses throws
 * its {@code StoreException} and changes nothing. Secrets are never logged, only ids.
 */
public final class TokenRegistry {
  private static final Logger log = LoggerFactory.getLogger(TokenRegistry.class);

  /** Compared against when the id is unknown, so that a miss takes as long as a wrong secret. */
  private static final String NO_HASH = Credentials.hash("no such token");

  private final TokenStore store;
  private final Clock clock;
  private final Map<String, StoredToken> byId = new ConcurrentHashMap<>();
  private final List<String> creationOrder = new CopyOnWriteArrayList<>();
  private final Object writes = new Object();

  private TokenRegistry(TokenStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Loads every token from the store. */
  public static TokenRegistry load(TokenStore store, Clock clock) {
    TokenRegistry registry = new TokenRegistry(store, clock);
    for (StoredToken token : store.loadTokens()) {
      registry.byId.put(token.token().getId(), token);
      registry.creationOrder.add(token.token().getId());
    }
    return registry;
  }

  /**
   * Creates and stores a token. The caller has validated the arguments (tenant given for users and
   * viewers, positive ttl).
   *
   * @param ttl how long it works; null for until revoked
   * @param createdBy the id of the creating token, or a word such as {@code bootstrap}
   */
  public CreatedToken create(
      Role role, String tenant, String description, Duration ttl, String createdBy) {
    try {
      return createWith(role, tenant, description, ttl, createdBy, secret -> {});
    } catch (IOException e) {
      throw new UncheckedIOException(e); // the sink above does no I/O
    }
  }

  /** Receives a new secret before its token is stored. */
  @FunctionalInterface
  interface SecretSink {
    void accept(String secret) throws IOException;
  }

  /**
   * {@link #create}, handing the secret to {@code beforeStoring} first: when that fails, no token
   * is stored.
   */
  CreatedToken createWith(
      Role role,
      String tenant,
      String description,
      Duration ttl,
      String createdBy,
      SecretSink beforeStoring)
      throws IOException {
    Instant now = now();
    String id = TokenSecrets.newId();
    String secret = TokenSecrets.newSecret(id);
    Token.Builder token =
        Token.newBuilder()
            .setId(id)
            .setTenant(tenant)
            .setRole(role)
            .setDescription(description)
            .setCreateTime(Timestamps.of(now))
            .setCreatedBy(createdBy);
    if (ttl != null) {
      token.setExpireTime(Timestamps.of(now.plus(ttl)));
    }
    StoredToken stored = new StoredToken(token.build(), Credentials.hash(secret));
    beforeStoring.accept(secret);
    synchronized (writes) {
      store.insertToken(stored);
      byId.put(id, stored);
      creationOrder.add(id);
    }
    log.info("created token {} ({}) by {}", id, describe(stored.token()), createdBy);
    return new CreatedToken(stored.token(), secret);
  }

  /** Who a bearer secret belongs to, if it is the secret of an active token. */
  public Authentication authenticate(String secret) {
    Optional<String> id = TokenSecrets.idOf(secret);
    StoredToken stored = id.map(byId::get).orElse(null);
    boolean matches =
        MessageDigest.isEqual(
            Credentials.hash(secret).getBytes(StandardCharsets.US_ASCII),
            (stored == null ? NO_HASH : stored.secretHash()).getBytes(StandardCharsets.US_ASCII));
    if (stored == null || !matches) {
      return new Authentication.Refused(
          "",
          "the token is not valid (unknown, or a wrong secret); check --token or GPUPOOL_TOKEN");
    }
    Token token = stored.token();
    if (token.hasRevokeTime()) {
      return new Authentication.Refused(
          token.getId(), "token " + token.getId() + " was revoked; ask an admin for a new one");
    }
    if (isExpired(token, now())) {
      return new Authentication.Refused(
          token.getId(),
          "token "
              + token.getId()
              + " expired at "
              + Timestamps.toInstant(token.getExpireTime())
              + "; ask an admin for a new one");
    }
    return new Authentication.Accepted(token);
  }

  /**
   * Revokes a token now; revoking a revoked one keeps its first revocation.
   *
   * @return the token afterwards; empty when there is none with this id
   */
  public Optional<Token> revoke(String id, String revokedBy) {
    Optional<StoredToken> revoked;
    synchronized (writes) {
      if (!byId.containsKey(id)) {
        return Optional.empty();
      }
      revoked = store.revokeToken(id, now());
      revoked.ifPresent(t -> byId.put(id, t));
    }
    revoked.ifPresent(t -> log.info("revoked token {} by {}", id, revokedBy));
    return revoked.map(StoredToken::token);
  }

  /** The token with this id, if any. */
  public Optional<Token> find(String id) {
    return Optional.ofNullable(byId.get(id)).map(StoredToken::token);
  }

  /**
   * Tokens in creation order.
   *
   * @param includeInactive also revoked and expired ones
   */
  public List<Token> list(boolean includeInactive) {
    Instant now = now();
    return creationOrder.stream()
        .map(id -> byId.get(id).token())
        .filter(t -> includeInactive || isActive(t, now))
        .toList();
  }

  /** True when some admin token is neither revoked nor expired. */
  public boolean hasActiveAdmin() {
    Instant now = now();
    return byId.values().stream()
        .map(StoredToken::token)
        .anyMatch(t -> t.getRole() == Role.ROLE_ADMIN && isActive(t, now));
  }

  /** True when a token is neither revoked nor expired at {@code now}. */
  static boolean isActive(Token token, Instant now) {
    return !token.hasRevokeTime() && !isExpired(token, now);
  }

  private static boolean isExpired(Token token, Instant now) {
    return token.hasExpireTime() && !now.isBefore(Timestamps.toInstant(token.getExpireTime()));
  }

  /** Microseconds: what the database keeps, so memory and store agree after a restart. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static String describe(Token token) {
    return "role "
        + Roles.name(token.getRole())
        + (token.getTenant().isEmpty() ? "" : ", tenant " + token.getTenant());
  }
}
