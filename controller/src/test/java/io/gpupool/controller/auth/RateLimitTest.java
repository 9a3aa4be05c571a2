package io.gpupool.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpupool.controller.testing.MutableClock;
import io.gpupool.controller.testing.SecuredController;
import io.gpupool.proto.v1.ListTasksRequest;
import io.gpupool.proto.v1.Role;
import io.gpupool.proto.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Requests per second per token, on the controller's clock. */
@Timeout(60)
class RateLimitTest {
  @TempDir Path dir;

  @Test
  void aTokenOverItsRateIsRefusedUntilTheClockMovesOnWhileOtherTokensGoOn() throws Exception {
    try (SecuredController cluster =
        SecuredController.start(dir.resolve("data"), config -> config.rateLimit(2))) {
      String user = cluster.token(Role.ROLE_USER, "team-a");
      String other = cluster.token(Role.ROLE_USER, "team-b");
      SchedulerServiceBlockingStub stub = cluster.scheduler(user);

      for (int i = 0; i < 4; i++) {
        list(stub); // a burst of twice the rate passes
      }
      assertThatThrownBy(() -> list(stub))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo(
                        "rate limit of 2 requests/s for token "
                            + TokenSecrets.idOf(user).orElseThrow()
                            + " exceeded; retry later");
              });
      list(cluster.scheduler(other));

      cluster.clock.advance(Duration.ofMillis(500));
      list(stub);
      assertThatThrownBy(() -> list(stub)).isInstanceOf(StatusRuntimeException.class);
      cluster.clock.advance(Duration.ofSeconds(10));
      for (int i = 0; i < 4; i++) {
        list(stub); // refilled up to the burst, not beyond
      }
      assertThatThrownBy(() -> list(stub)).isInstanceOf(StatusRuntimeException.class);
    }
  }

  @Test
  void aLimiterRefillsAtItsRateUpToTwiceIt() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-03T12:00:00Z"));
    RateLimiter limiter = new RateLimiter(10, clock);

    int passed = 0;
    while (limiter.tryAcquire("a")) {
      passed++;
    }
    assertThat(passed).isEqualTo(20);
    clock.advance(Duration.ofMillis(300));
    passed = 0;
    while (limiter.tryAcquire("a")) {
      passed++;
    }
    assertThat(passed).isEqualTo(3);
    assertThat(limiter.tryAcquire("b")).isTrue();
    assertThatThrownBy(() -> new RateLimiter(0, clock))
        .hasMessage("a rate limit is at least 1 per second, got 0");
  }

  private static void list(SchedulerServiceBlockingStub stub) {
    stub.listTasks(ListTasksRequest.getDefaultInstance());
  }
}
