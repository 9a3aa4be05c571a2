package io.gpupool.controller.store;

import com.google.protobuf.Timestamp;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.Token;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link TokenStore} in the {@code api_tokens} table of a {@link JdbcStore}'s database. Writes are
 * fenced like the store's commits. Thread-safe.
 */
final class JdbcTokenStore implements TokenStore {
  private static final String COLUMNS =
      "id, tenant, role, description, secret_hash, created_at, expires_at, revoked_at,"
          + " created_by";

  private final JdbcStore store;

  JdbcTokenStore(JdbcStore store) {
    this.store = store;
  }

  @Override
  public List<StoredToken> loadTokens() {
    try (Connection c = store.connection();
        PreparedStatement s =
            c.prepareStatement("SELECT " + COLUMNS + " FROM api_tokens ORDER BY seq");
        ResultSet rs = s.executeQuery()) {
      List<StoredToken> tokens = new ArrayList<>();
      while (rs.next()) {
        tokens.add(token(rs));
      }
      c.commit();
      return tokens;
    } catch (SQLException e) {
      throw new StoreException("loading tokens failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void insertToken(StoredToken stored) {
    Token t = stored.token();
    store.write(
        "storing token " + t.getId(),
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO api_tokens (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, t.getId());
            s.setString(2, t.getTenant());
            s.setString(3, t.getRole().name());
            s.setString(4, t.getDescription());
            s.setString(5, stored.secretHash());
            s.setObject(6, SqlTimes.column(t.getCreateTime()));
            s.setObject(7, t.hasExpireTime() ? SqlTimes.column(t.getExpireTime()) : null);
            s.setObject(8, t.hasRevokeTime() ? SqlTimes.column(t.getRevokeTime()) : null);
            s.setString(9, t.getCreatedBy());
            s.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public Optional<StoredToken> revokeToken(String id, Instant at) {
    return store.write(
        "revoking token " + id,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            s.setObject(1, SqlTimes.column(timestamp(at)));
            s.setString(2, id);
            s.executeUpdate();
          }
          try (PreparedStatement s =
              c.prepareStatement("SELECT " + COLUMNS + " FROM api_tokens WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() ? Optional.of(token(rs)) : Optional.<StoredToken>empty();
            }
          }
        });
  }

  private static StoredToken token(ResultSet rs) throws SQLException {
    Token.Builder t =
        Token.newBuilder()
            .setId(rs.getString(1))
            .setTenant(rs.getString(2))
            .setRole(role(rs.getString(3)))
            .setDescription(rs.getString(4))
            .setCreateTime(SqlTimes.proto(rs.getObject(6, OffsetDateTime.class)))
            .setCreatedBy(rs.getString(9));
    OffsetDateTime expires = rs.getObject(7, OffsetDateTime.class);
    if (expires != null) {
      t.setExpireTime(SqlTimes.proto(expires));
    }
    OffsetDateTime revoked = rs.getObject(8, OffsetDateTime.class);
    if (revoked != null) {
      t.setRevokeTime(SqlTimes.proto(revoked));
    }
    return new StoredToken(t.build(), rs.getString(5));
  }

  /** A role name this version does not know reads as unspecified, which no check allows. */
  private static Role role(String name) {
    try {
      return Role.valueOf(name);
    } catch (IllegalArgumentException e) {
      return Role.ROLE_UNSPECIFIED;
    }
  }

  private static Timestamp timestamp(Instant at) {
    return SqlTimes.proto(at.atOffset(ZoneOffset.UTC));
  }
}
