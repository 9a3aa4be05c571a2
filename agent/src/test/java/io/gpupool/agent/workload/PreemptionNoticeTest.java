package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PreemptionNoticeTest {

  private static Struct parse(String json) throws IOException {
    Struct.Builder struct = Struct.newBuilder();
    JsonFormat.parser().merge(json, struct);
    return struct.build();
  }

  @Test
  void writesTheFourFieldsWithAnRfc3339UtcDeadline() {
    PreemptionNotice notice =
        new PreemptionNotice("t-1", "make room", Instant.parse("2026-11-25T10:10:00Z"), 2);

    assertThat(notice.toJson())
        .isEqualTo(
            "{\"task_id\": \"t-1\", \"reason\": \"make room\","
                + " \"deadline\": \"2026-11-25T10:10:00.000Z\", \"attempt\": 2}\n");
  }

  @Test
  void deadlineKeepsMillisecondsOnly() {
    PreemptionNotice notice =
        new PreemptionNotice("t-1", "", Instant.parse("2026-11-25T10:10:00.123456789Z"), 1);

    assertThat(notice.deadlineText()).isEqualTo("2026-11-25T10:10:00.123Z");
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() throws IOException {
    String reason = "a \"quoted\" \\ path\nline\ttab\r\b\f\u0001\u001f é ✓";
    PreemptionNotice notice = new PreemptionNotice("t-\"x", reason, Instant.EPOCH, 1);

    Struct parsed = parse(notice.toJson());

    assertThat(parsed.getFieldsOrThrow("reason").getStringValue()).isEqualTo(reason);
    assertThat(parsed.getFieldsOrThrow("task_id").getStringValue()).isEqualTo("t-\"x");
    assertThat(PreemptionNotice.quote("\u0001\n")).isEqualTo("\"\\u0001\\n\"");
    assertThat(notice.toJson().strip()).doesNotContain("\n", "\r", "\t");
  }
}
