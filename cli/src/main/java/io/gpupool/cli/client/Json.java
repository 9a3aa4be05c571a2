package io.gpupool.cli.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;

/** Prints wire messages in proto3 JSON form. Stateless, thread-safe. */
final class Json {
  private static final JsonFormat.Printer PRETTY = JsonFormat.printer();
  private static final JsonFormat.Printer COMPACT = PRETTY.omittingInsignificantWhitespace();

  private Json() {}

  /** Indented, for one message per command. */
  static String pretty(MessageOrBuilder message) {
    return print(PRETTY, message);
  }

  /** One line, for streams of messages (JSON Lines). */
  static String compact(MessageOrBuilder message) {
    return print(COMPACT, message);
  }

  private static String print(JsonFormat.Printer printer, MessageOrBuilder message) {
    try {
      return printer.print(message);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields with unknown types fail, and gpupool.v1 has none.
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }
}
