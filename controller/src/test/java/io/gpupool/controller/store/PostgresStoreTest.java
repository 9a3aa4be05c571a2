package io.gpupool.controller.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store contract on PostgreSQL, in a fresh schema per test. Needs GPUPOOL_TEST_POSTGRES_URL (a
 * JDBC URL with its user, as .ci/postgres prints); without it the tests are skipped, unless
 * GPUPOOL_REQUIRE_POSTGRES=1 (CI sets it) makes that a failure.
 */
class PostgresStoreTest extends StoreContract {
  private String url;

  @BeforeEach
  @Override
  void open() {
    String base = postgresUrl();
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(base);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test schema on " + base, e);
    }
    url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    super.open();
  }

  @Override
  JdbcStore openStore() {
    return JdbcStore.open(url, null, null);
  }

  static String postgresUrl() {
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
}
