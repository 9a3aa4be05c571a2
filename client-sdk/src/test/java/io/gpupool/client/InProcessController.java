package io.gpupool.client;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A {@link FakeScheduler} served in-process under a unique name, and a channel to it. */
final class InProcessController implements AutoCloseable {
  final FakeScheduler scheduler = new FakeScheduler();
  final ManagedChannel channel;
  private final Server server;

  InProcessController() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(scheduler).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  /** Returns a builder for a client on this controller, with short backoffs for tests. */
  GpuPoolClientBuilder clientBuilder() {
    return GpuPoolClient.builder()
        .channel(channel)
        .initialBackoff(Duration.ofMillis(10))
        .maxBackoff(Duration.ofMillis(40));
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
