package io.gpupool.controller.store;

import io.gpupool.proto.v1.AuditEvent;
import io.gpupool.proto.v1.Role;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AuditStore} in the {@code audit_events} table of a {@link JdbcStore}'s database. Appends
 * are not fenced by the leader epoch: they record calls this controller answered, even as it is
 * being deposed. Values longer than their column are cut. Thread-safe.
 */
final class JdbcAuditStore implements AuditStore {
  private final JdbcStore store;

  JdbcAuditStore(JdbcStore store) {
    this.store = store;
  }

  @Override
  public void appendAudit(List<AuditEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try (Connection c = store.connection()) {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO audit_events (at, token_id, tenant, role, method, target, outcome,"
                  + " peer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (AuditEvent e : events) {
          s.setObject(1, SqlTimes.column(e.getTime()));
          s.setString(2, cut(e.getTokenId(), 32));
          s.setString(3, cut(e.getTenant(), 253));
          s.setString(4, e.getRole().name());
          s.setString(5, cut(e.getMethod(), 128));
          s.setString(6, cut(e.getTarget(), 256));
          s.setString(7, cut(e.getOutcome(), 32));
          s.setString(8, cut(e.getPeer(), 128));
          s.addBatch();
        }
        s.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("appending audit events failed: " + e.getMessage(), e);
    }
  }

  @Override
  public List<AuditEvent> listAudit(long afterSequence, int limit) {
    try (Connection c = store.connection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT seq, at, token_id, tenant, role, method, target, outcome, peer"
                    + " FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?")) {
      s.setLong(1, afterSequence);
      s.setInt(2, limit);
      List<AuditEvent> events = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          events.add(
              AuditEvent.newBuilder()
                  .setSequence(rs.getLong(1))
                  .setTime(SqlTimes.proto(rs.getObject(2, OffsetDateTime.class)))
                  .setTokenId(rs.getString(3))
                  .setTenant(rs.getString(4))
                  .setRole(role(rs.getString(5)))
                  .setMethod(rs.getString(6))
                  .setTarget(rs.getString(7))
                  .setOutcome(rs.getString(8))
                  .setPeer(rs.getString(9))
                  .build());
        }
      }
      c.commit();
      return events;
    } catch (SQLException e) {
      throw new StoreException("reading the audit log failed: " + e.getMessage(), e);
    }
  }

  private static Role role(String name) {
    try {
      return Role.valueOf(name);
    } catch (IllegalArgumentException e) {
      return Role.ROLE_UNSPECIFIED;
    }
  }

  private static String cut(String value, int max) {
    return value.length() <= max ? value : value.substring(0, max);
  }
}
