package io.gpupool.cli.client;

import io.gpupool.wire.ControllerAddresses;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;

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
   * @param credentials plaintext, or TLS as the {@code --tls*} flags say ({@link ClientTlsOptions})
   * @throws IllegalArgumentException when a list of addresses has an entry that is not HOST:PORT
   */
  ManagedChannel open(String target, ChannelCredentials credentials);

  /**
   * HTTP/2 over the Netty transport on the classpath, plaintext or TLS. With TLS and a list of
   * controllers, every controller's certificate is checked against the first name listed.
   *
   * @throws CommandFailedException when gRPC cannot use the TLS files (the flags' checks passed,
   *     but, e.g., the key's contents are corrupt)
   */
  static ControllerChannels netty() {
    return (target, credentials) -> {
      String grpcTarget = ControllerAddresses.grpcTarget(target);
      try {
        return Grpc.newChannelBuilder(grpcTarget, credentials).build();
      } catch (RuntimeException e) {
        if (!(credentials instanceof TlsChannelCredentials)) {
          throw e;
        }
        // gRPC reports unusable PEM contents as "no channel provider": point at the TLS flags.
        throw new CommandFailedException(
            "cannot use the files of --tls-ca, --tls-cert and --tls-key: " + e.getMessage());
      }
    };
  }
}
