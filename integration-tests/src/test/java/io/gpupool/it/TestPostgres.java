package io.gpupool.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server the tests may use ({@code GPUPOOL_TEST_POSTGRES_URL}; CI starts one): a
 * fresh schema per test, and what the server knows about the connections to it.
 */
final class TestPostgres {
  private TestPostgres() {}

  /**
   * Creates a fresh schema and returns the JDBC URL that uses it. Skips the test without {@code
   * GPUPOOL_TEST_POSTGRES_URL}, unless {@code GPUPOOL_REQUIRE_POSTGRES=1} makes that a failure.
   */
  static String freshSchemaUrl() throws SQLException {
    String base = baseUrl();
    String schema = "it_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(base);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    return withParameter(base, "currentSchema", schema);
  }

  /** {@code url} with one more query parameter. */
  static String withParameter(String url, String name, String value) {
    return url + (url.contains("?") ? "&" : "?") + name + "=" + value;
  }

  /**
   * How many open connections carry this application name, which a client sets with the JDBC URL
   * parameter {@code ApplicationName}: tells whether a controller process has reached the database.
   */
  static int connectionsOf(String applicationName) throws SQLException {
    try (Connection c = DriverManager.getConnection(baseUrl());
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
      s.setString(1, applicationName);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  private static String baseUrl() {
    String base = System.getenv("GPUPOOL_TEST_POSTGRES_URL");
    if (base == null || base.isBlank()) {
      String message =
          "GPUPOOL_TEST_POSTGRES_URL is not set; start one with .ci/postgres start DIR PORT";
      if ("1".equals(System.getenv("GPUPOOL_REQUIRE_POSTGRES"))) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
    return base;
  }
}
