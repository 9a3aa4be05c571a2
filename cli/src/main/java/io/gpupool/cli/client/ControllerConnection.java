package io.gpupool.cli.client;

import io.gpupool.proto.v1.AdminServiceGrpc;
import io.gpupool.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import io.gpupool.proto.v1.SchedulerServiceGrpc;
import io.gpupool.proto.v1.SchedulerServiceGrpc.SchedulerServiceBlockingStub;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One command's channel to the controller and the stubs over it, which present the command's token
 * when it has one. Calls fail with {@code StatusRuntimeException}, which the top-level error
 * handler turns into one line on stderr.
 *
 * <p>Not thread-safe for closing; the stubs themselves are thread-safe.
 */
public final class ControllerConnection implements AutoCloseable {
  /** Deadline of each unary call, so a hung controller cannot hang the CLI forever. */
  static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(2);

  private final String target;
  private final ManagedChannel channel;
  private final CallCredentials token;

  /**
   * @param token the bearer token to present; null for none
   */
  ControllerConnection(String target, ManagedChannel channel, String token) {
    this.target = target;
    this.channel = channel;
    this.token = token == null ? null : new BearerCredentials(token);
  }

  /** The address the channel was opened to. */
  public String target() {
    return target;
  }

  /** A stub for one unary call, with a fresh {@link #CALL_DEADLINE}. */
  public SchedulerServiceBlockingStub call() {
    return SchedulerServiceGrpc.newBlockingStub(channel)
        .withCallCredentials(token)
        .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A stub for server streams that last as long as the task does, hence without deadline. */
  public SchedulerServiceBlockingStub stream() {
    return SchedulerServiceGrpc.newBlockingStub(channel).withCallCredentials(token);
  }

  /** An admin stub (tokens, identity, audit) for one unary call, with a fresh deadline. */
  public AdminServiceBlockingStub admin() {
    return AdminServiceGrpc.newBlockingStub(channel)
        .withCallCredentials(token)
        .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Shuts the channel down, cancelling calls still open, and waits briefly for it. */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
