package io.gpupool.cli.client;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Converts between protobuf and java.time. Stateless, thread-safe. */
final class ProtoTime {
  private ProtoTime() {}

  /** The instant of a timestamp field; empty when the field is unset. */
  static Optional<Instant> instant(boolean isSet, Timestamp timestamp) {
    return isSet
        ? Optional.of(Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()))
        : Optional.empty();
  }

  /** A java.time duration as a protobuf one. */
  static com.google.protobuf.Duration duration(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }

  /** A protobuf duration as Java's, e.g. for printing ("PT30S"). */
  static Duration javaDuration(com.google.protobuf.Duration duration) {
    return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
  }
}
