package io.gpupool.client.impl;

import io.gpupool.client.GpuPoolClientOptions;
import io.gpupool.wire.ControllerAddresses;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;

/**
 * Opens the channel a client owns when it was given a target rather than a channel. A target that
 * lists several controllers ({@code a:7070,b:7070}) becomes one channel to whichever of them leads.
 */
final class ChannelFactory {
  private static final String USER_AGENT = "gpupool-client";

  private ChannelFactory() {}

  static ManagedChannel open(GpuPoolClientOptions options) {
    String target =
        options.target().orElseThrow(() -> new IllegalStateException("options have no target"));
    return Grpc.newChannelBuilder(ControllerAddresses.grpcTarget(target), credentials(options))
        .keepAliveTime(options.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .userAgent(USER_AGENT)
        .build();
  }

  /**
   * Plaintext for now. TLS goes here: once the options carry a trust store (and a client
   * certificate for mTLS), return {@code TlsChannelCredentials} built from them.
   */
  private static ChannelCredentials credentials(GpuPoolClientOptions options) {
    return InsecureChannelCredentials.create();
  }
}
