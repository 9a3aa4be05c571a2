package io.gpupool.controller.api;

import com.google.protobuf.Message;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.limits.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collects every problem of a request, each naming its field, then fails once with all.
 *
 * <p>The message that crosses the wire stays short whatever the request holds: echoed values are
 * cut ({@link #quote}) and problems past {@link #MAX_MESSAGE_CHARS} are counted, not listed, since
 * gRPC carries the message in a header that clients limit to 8 KiB. Not thread-safe.
 */
final class Violations {
  /** Longest failure message sent, in characters. */
  static final int MAX_MESSAGE_CHARS = 4000;

  /** Longest part of a caller's value echoed in a message. */
  static final int MAX_QUOTE_CHARS = 40;

  private final List<String> problems = new ArrayList<>();

  /** A collector that already holds the request's unknown fields, if it has any. */
  static Violations of(Message request) {
    Violations violations = new Violations();
    UnknownFields.check(request, "", violations);
    return violations;
  }

  void add(String field, String problem) {
    problems.add(field + ": " + problem);
  }

  void check(boolean ok, String field, String problem) {
    if (!ok) {
      add(field, problem);
    }
  }

  /** A string of at most {@code maxChars} characters, without NUL; empty passes. */
  void text(String value, String field, int maxChars) {
    check(
        value.length() <= maxChars,
        field,
        "at most " + maxChars + " characters, has " + value.length());
    noNul(value, field);
  }

  /** A required task or node id: what the store can hold, without NUL. */
  void id(String value, String field) {
    check(!value.isEmpty(), field, "required");
    text(value, field, Limits.MAX_ID_CHARS);
  }

  /** A string that reaches a C API or the store, where NUL would end it early or fail. */
  void noNul(String value, String field) {
    check(value.indexOf('\0') < 0, field, "must not contain NUL (\\0)");
  }

  /** A label map: bounded count, non-empty keys, bounded keys and values, no NUL. */
  void labels(Map<String, String> labels, String field) {
    check(
        labels.size() <= Limits.MAX_LABELS,
        field,
        "at most " + Limits.MAX_LABELS + " entries, has " + labels.size());
    int problemsBefore = problems.size();
    for (Map.Entry<String, String> entry : labels.entrySet()) {
      String key = entry.getKey();
      String at = field + "[" + quote(key) + "]";
      check(!key.isEmpty(), field, "keys must not be empty");
      text(key, at + " key", Limits.MAX_LABEL_KEY_CHARS);
      text(entry.getValue(), at, Limits.MAX_LABEL_VALUE_CHARS);
      if (problems.size() - problemsBefore > 10) {
        return; // enough to act on; the rest of a hostile map adds nothing
      }
    }
  }

  /** {@code value} in single quotes, cut to {@link #MAX_QUOTE_CHARS} characters and marked. */
  static String quote(String value) {
    String shown =
        value.length() <= MAX_QUOTE_CHARS
            ? value
            : value.substring(0, MAX_QUOTE_CHARS) + "...(" + value.length() + " characters)";
    return "'" + shown.replace("\0", "\\0") + "'";
  }

  List<String> problems() {
    return problems;
  }

  /** Throws INVALID_ARGUMENT listing every problem (as many as fit), if there are any. */
  void throwIfAny() {
    if (!problems.isEmpty()) {
      throw ControllerException.invalid(message());
    }
  }

  private String message() {
    StringBuilder message = new StringBuilder();
    for (int i = 0; i < problems.size(); i++) {
      String problem = problems.get(i);
      String separator = i == 0 ? "" : "; ";
      int rest = problems.size() - i;
      if (i == 0 && problem.length() > MAX_MESSAGE_CHARS - 40) {
        message.append(problem, 0, MAX_MESSAGE_CHARS - 40).append("...");
      } else if (message.length() + separator.length() + problem.length()
          > MAX_MESSAGE_CHARS - 40) {
        message.append(separator).append("and ").append(rest).append(" more problems");
        break;
      } else {
        message.append(separator).append(problem);
      }
    }
    return message.toString();
  }
}
