package io.gpupool.controller.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A small end-to-end submit benchmark against a real controller, on H2 and, when
 * GPUPOOL_TEST_POSTGRES_URL is set (a JDBC URL with its user, as .ci/postgres prints), on
 * PostgreSQL in a fresh schema; without it the PostgreSQL test is skipped, unless
 * GPUPOOL_REQUIRE_POSTGRES=1 makes that a failure.
 */
@Timeout(120)
class E2eBenchmarkTest {
  private static final E2eBenchConfig SMALL = new E2eBenchConfig(200, 20, 2, 16, null, null, null);

  @Test
  void everySubmitOnH2IsDurableAndTheFiguresAreSane() throws Exception {
    E2eBenchResult result = new E2eBenchmark().run(SMALL);

    assertSane(result, "h2");
  }

  @Test
  void everySubmitOnPostgresqlIsDurableAndTheFiguresAreSane() throws Exception {
    E2eBenchResult result = new E2eBenchmark().run(SMALL.withStore(freshSchema(), null, null));

    assertSane(result, "postgresql");
  }

  @Test
  void withoutAuthenticationEverySubmitIsDurableToo() throws Exception {
    E2eBenchResult result = new E2eBenchmark().run(SMALL.withAuthentication(false));

    assertSane(result, "h2");
    assertThat(result.fields()).containsEntry("authentication", "off");
  }

  @Test
  void theFiguresComeAsTextAndJsonWithTheSameNames() throws Exception {
    E2eBenchResult result =
        new E2eBenchResult(SMALL, 2_000_000_000L, 1_000_000, 5_500_000, 9_000_000, 220);

    assertThat(result.submitsPerSecond()).isEqualTo(100.0);
    assertThat(result.toJson())
        .isEqualTo(
            "{\"store\":\"h2\",\"authentication\":\"on\",\"clients\":2,\"in_flight\":16,\"tasks\":200,\"warmup_tasks\":20,"
                + "\"tasks_stored\":220,\"elapsed_ms\":2000,\"submits_per_s\":100,"
                + "\"p50_latency_ms\":1,\"p99_latency_ms\":5.5,\"max_latency_ms\":9}");
    assertThat(result.toText().lines())
        .hasSize(result.fields().size())
        .contains("store           h2", "submits_per_s   100", "p99_latency_ms  5.5");
  }

  @Test
  void aCountOutOfRangeIsRejectedNamingIt() {
    assertThatThrownBy(() -> new E2eBenchConfig(0, 0, 1, 1, null, null, null))
        .hasMessage("tasks must be at least 1, got 0");
    assertThatThrownBy(() -> E2eBenchConfig.h2(10, 1, 0))
        .hasMessage("inFlight must be at least 1, got 0");
    assertThatThrownBy(() -> E2eBenchConfig.h2(10, 0, 1))
        .hasMessage("clients must be at least 1, got 0");
  }

  @Test
  void theStoreKindComesFromTheUrlsScheme() {
    assertThat(E2eBenchConfig.h2(10, 1, 1).storeKind()).isEqualTo("h2");
    assertThat(
            E2eBenchConfig.h2(10, 1, 1).withStore("jdbc:postgresql://db/x", null, null).storeKind())
        .isEqualTo("postgresql");
    assertThat(E2eBenchConfig.h2(10, 1, 1).withStore("jdbc:h2:mem:x", null, null).storeKind())
        .isEqualTo("h2");
  }

  private static void assertSane(E2eBenchResult result, String store) {
    assertThat(result.tasksStored()).isEqualTo(220);
    assertThat(result.fields())
        .containsEntry("store", store)
        .containsEntry("tasks", 200L)
        .containsEntry("clients", 2L)
        .containsEntry("in_flight", 16L);
    assertThat(result.elapsedNanos()).isPositive();
    assertThat(result.submitsPerSecond()).isPositive();
    assertThat(result.p50LatencyNanos()).isPositive();
    assertThat(result.p99LatencyNanos()).isGreaterThanOrEqualTo(result.p50LatencyNanos());
    assertThat(result.maxLatencyNanos())
        .isGreaterThanOrEqualTo(result.p99LatencyNanos())
        .isLessThanOrEqualTo(result.elapsedNanos());
  }

  /** A new schema on the test database, so the count starts from nothing known. */
  private static String freshSchema() {
    String base = System.getenv("GPUPOOL_TEST_POSTGRES_URL");
    if (base == null || base.isBlank()) {
      String message =
          "GPUPOOL_TEST_POSTGRES_URL is not set; start one with .ci/postgres start DIR PORT";
      if ("1".equals(System.getenv("GPUPOOL_REQUIRE_POSTGRES"))) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
    String schema = "b_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(base);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test schema on " + base, e);
    }
    return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }
}
