package io.gpupool.cli.client;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

/**
 * Opens a channel to a controller. The CLI opens one per command and shuts it down when the command
 * ends; tests replace the factory with one that returns in-process channels.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ControllerChannels {
  /**
   * Opens a channel to the controller at {@code target} ({@code HOST:PORT} or a gRPC target URI).
   * Connecting is lazy: an unreachable controller shows up as {@code UNAVAILABLE} on the first
   * call, not here.
   */
  ManagedChannel open(String target);

  /**
   * Plaintext HTTP/2 over the Netty transport on the classpath. TLS credentials go here once the
   * controller serves TLS: a {@code tls(...)} factory built on {@code TlsChannelCredentials}.
   */
  static ControllerChannels plaintext() {
    return target -> Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
  }
}
