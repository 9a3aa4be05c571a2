package io.gpupool.client.impl;

import io.gpupool.client.GpuPoolClientOptions;
import io.gpupool.wire.ControllerAddresses;
import io.gpupool.wire.TlsHandshakeFailures;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opens the channel a client owns when it was given a target rather than a channel. A target that
 * lists several controllers ({@code a:7070,b:7070}) becomes one channel to whichever of them leads;
 * with TLS, every controller's certificate is checked against the first name listed (the channel's
 * authority).
 */
final class ChannelFactory {
  private static final String USER_AGENT = "gpupool-client";

  /** How a failed TLS handshake names the client's options. */
  static final TlsHandshakeFailures.Hints TLS_HINTS =
      new TlsHandshakeFailures.Hints(
          "leave tls out",
          "the client certificate",
          "set tlsClientCertificate",
          "check the CA certificates given to tls(caFile)",
          target ->
              TlsHandshakeFailures.PLAINTEXT_TO_TLS
                  + " (if the controller serves TLS, configure the client with tls(caFile))");

  private ChannelFactory() {}

  /**
   * Opens the channel to the options' target: plaintext, or TLS with the options' files.
   *
   * @throws IllegalArgumentException when a TLS file cannot be read or used (the options checked
   *     them, but they may have changed since, or hold a key the JDK cannot parse)
   */
  static ManagedChannel open(GpuPoolClientOptions options) {
    String target =
        options.target().orElseThrow(() -> new IllegalStateException("options have no target"));
    try {
      return Grpc.newChannelBuilder(ControllerAddresses.grpcTarget(target), credentials(options))
          .keepAliveTime(options.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
          .userAgent(USER_AGENT)
          .intercept(TlsHandshakeFailures.interceptor(target, options.tls(), TLS_HINTS))
          .build();
    } catch (RuntimeException e) {
      if (!options.tls()) {
        throw e;
      }
      // gRPC reports unusable PEM contents as "no channel provider": say which option it is.
      throw new IllegalArgumentException(
          "invalid client options: cannot use the TLS files "
              + tlsFiles(options)
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static ChannelCredentials credentials(GpuPoolClientOptions options) {
    if (!options.tls()) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    try {
      if (options.tlsCaFile().isPresent()) {
        tls.trustManager(options.tlsCaFile().get().toFile());
      }
      if (options.tlsCertificateChain().isPresent() && options.tlsPrivateKey().isPresent()) {
        tls.keyManager(
            options.tlsCertificateChain().get().toFile(), options.tlsPrivateKey().get().toFile());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "invalid client options: cannot read the TLS files " + tlsFiles(options) + ": " + e, e);
    }
    return tls.build();
  }

  private static String tlsFiles(GpuPoolClientOptions options) {
    List<String> files = new ArrayList<>();
    options.tlsCaFile().ifPresent(f -> files.add(f.toString()));
    options.tlsCertificateChain().ifPresent(f -> files.add(f.toString()));
    options.tlsPrivateKey().ifPresent(f -> files.add(f.toString()));
    return files.isEmpty() ? "(the default trust store)" : String.join(", ", files);
  }
}
