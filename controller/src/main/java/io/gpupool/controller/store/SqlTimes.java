package io.gpupool.controller.store;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** Protobuf timestamps to and from {@code TIMESTAMP WITH TIME ZONE} columns (microseconds). */
final class SqlTimes {
  private SqlTimes() {}

  /** The column value of a timestamp; null for null. PostgreSQL keeps microseconds. */
  static OffsetDateTime column(Timestamp timestamp) {
    if (timestamp == null) {
      return null;
    }
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos())
        .truncatedTo(ChronoUnit.MICROS)
        .atOffset(ZoneOffset.UTC);
  }

  /** The timestamp of a column value; null for SQL NULL. */
  static Timestamp proto(OffsetDateTime value) {
    if (value == null) {
      return null;
    }
    Instant instant = value.toInstant();
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }
}
