package io.gpupool.controller.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on embedded H2, the default backend. */
class H2StoreTest extends StoreContract {
  @TempDir Path dir;

  @Override
  JdbcStore openStore() {
    return JdbcStore.openH2(dir);
  }
}
