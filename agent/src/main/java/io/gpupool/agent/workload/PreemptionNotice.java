package io.gpupool.agent.workload;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * What a preempted workload is told: why, and when it gets SIGTERM.
 *
 * @param taskId the task
 * @param reason why, in the controller's words
 * @param deadline when the agent sends SIGTERM unless the workload checkpointed or exited before
 * @param attempt which start of the task this is, from 1
 */
record PreemptionNotice(String taskId, String reason, Instant deadline, int attempt) {

  /** RFC 3339 in UTC with milliseconds, which every JSON consumer's date parser reads. */
  private static final DateTimeFormatter RFC_3339_UTC =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** The deadline as RFC 3339 UTC text, e.g. {@code 2026-11-25T10:10:00.000Z}. */
  String deadlineText() {
    return RFC_3339_UTC.format(deadline);
  }

  /**
   * The notice as the one-line JSON object the workload reads: {@code {"task_id": "t-1", "reason":
   * "...", "deadline": "2026-11-25T10:10:00.000Z", "attempt": 1}}.
   */
  String toJson() {
    return "{\"task_id\": "
        + quote(taskId)
        + ", \"reason\": "
        + quote(reason)
        + ", \"deadline\": "
        + quote(deadlineText())
        + ", \"attempt\": "
        + attempt
        + "}\n";
  }

  /** A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped. */
  static String quote(String text) {
    StringBuilder json = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        case '\b' -> json.append("\\b");
        case '\f' -> json.append("\\f");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append('"').toString();
  }
}
