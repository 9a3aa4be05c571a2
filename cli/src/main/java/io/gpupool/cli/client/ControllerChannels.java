package io.gpupool.cli.client;

import io.gpupool.wire.ControllerAddresses;
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
   * Opens a channel to the controller at {@code target} ({@code HOST:PORT}, a gRPC target URI, or
   * {@code HOST:PORT,HOST:PORT,...} for a controller and its standbys). Connecting is lazy: an
   * unreachable controller shows up as {@code UNAVAILABLE} on the first call, not here.
   *
   * @throws IllegalArgumentException when a list of addresses has an entry that is not HOST:PORT
   */
  ManagedChannel open(String target);

  /**
   * Plaintext HTTP/2 over the Netty transport on the classpath. TLS credentials go here once the
   * controller serves TLS: a {@code tls(...)} factory built on {@code TlsChannelCredentials}.
   */
  static ControllerChannels plaintext() {
    return target ->
        Grpc.newChannelBuilder(
                ControllerAddresses.grpcTarget(target), InsecureChannelCredentials.create())
            .build();
  }
}
