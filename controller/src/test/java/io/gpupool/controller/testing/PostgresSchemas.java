package io.gpupool.controller.testing;

import io.gpupool.controller.ha.LeaderElection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server tests use: GPUPOOL_TEST_POSTGRES_URL (a JDBC URL with its user, as
 * .ci/postgres prints), a fresh schema per call. Without the variable a test is skipped, unless
 * GPUPOOL_REQUIRE_POSTGRES=1 (CI sets it) makes that a failure.
 */
public final class PostgresSchemas {
  private PostgresSchemas() {}

  /** The server's URL; skips the calling test when none is configured. */
  public static String serverUrl() {
    String url = System.getenv("GPUPOOL_TEST_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      String message =
          "GPUPOOL_TEST_POSTGRES_URL is not set; start one with .ci/postgres start DIR PORT";
      if ("1".equals(System.getenv("GPUPOOL_REQUIRE_POSTGRES"))) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
    return url;
  }

  /** Creates an empty schema and returns the server URL that makes it the current schema. */
  public static String newSchemaUrl() {
    String base = serverUrl();
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(base);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test schema on " + base, e);
    }
    return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /**
   * Ends the session that holds the controller leader lock of {@code schemaUrl}'s schema, as the
   * server does when the leader's host dies; returns whether there was one.
   */
  public static boolean terminateLeaderLockSession(String schemaUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(schemaUrl);
        Statement s = c.createStatement()) {
      var rs =
          s.executeQuery(
              "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                  + " AND classid = "
                  + LeaderElection.LOCK_CLASS_ID
                  + "::oid"
                  + " AND objid = hashtext(current_schema())::oid AND objsubid = 2 AND granted");
      return rs.next() && rs.getBoolean(1);
    }
  }
}
