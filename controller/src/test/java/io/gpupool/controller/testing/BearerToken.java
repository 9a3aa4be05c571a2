package io.gpupool.controller.testing;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/** Call credentials that send {@code authorization: Bearer <secret>}, as clients do. */
public final class BearerToken extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String header;

  private BearerToken(String header) {
    this.header = header;
  }

  /** Credentials for a token secret. */
  public static BearerToken of(String secret) {
    return new BearerToken("Bearer " + secret);
  }

  /** Credentials that send this authorization value as is (e.g. a wrong scheme). */
  public static BearerToken raw(String header) {
    return new BearerToken(header);
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    Metadata metadata = new Metadata();
    metadata.put(AUTHORIZATION, header);
    applier.apply(metadata);
  }
}
