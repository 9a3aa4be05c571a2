package io.gpupool.controller.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on embedded H2, the default backend. */
class H2StoreTest extends StoreContract {
  @TempDir Path dir;

  @Override
  JdbcStore openStore() {
    return JdbcStore.openH2(dir);
  }

  @Override
  Connection connect() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:h2:file:" + dir.toAbsolutePath().resolve("gpupool") + ";WRITE_DELAY=0");
  }
}
