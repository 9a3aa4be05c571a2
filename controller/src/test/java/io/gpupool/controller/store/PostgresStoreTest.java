package io.gpupool.controller.store;

import io.gpupool.controller.testing.PostgresSchemas;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store contract on PostgreSQL, in a fresh schema per test (see {@link PostgresSchemas}:
 * skipped without GPUPOOL_TEST_POSTGRES_URL).
 */
class PostgresStoreTest extends StoreContract {
  private String url;

  @BeforeEach
  @Override
  void open() {
    url = PostgresSchemas.newSchemaUrl();
    super.open();
  }

  @Override
  JdbcStore openStore() {
    return JdbcStore.open(url, null, null);
  }

  @Override
  Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }
}
