package io.gpupool.agent.workload;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;

/** Converts between java.time and protobuf time types without losing the nanoseconds. */
final class ProtoTime {

  private ProtoTime() {}

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  static Duration duration(com.google.protobuf.Duration duration) {
    return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
  }
}
