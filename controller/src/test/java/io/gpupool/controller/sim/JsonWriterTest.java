package io.gpupool.controller.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class JsonWriterTest {

  @Test
  void writesIndentedJsonWithKeysInWrittenOrder() {
    String json =
        new JsonWriter()
            .beginObject()
            .name("z")
            .value(1)
            .name("a")
            .beginArray()
            .value("x")
            .value(true)
            .nullValue()
            .endArray()
            .name("empty")
            .beginObject()
            .endObject()
            .name("none")
            .beginArray()
            .endArray()
            .endObject()
            .toString();

    assertThat(json)
        .isEqualTo(
            "{\n"
                + "  \"z\": 1,\n"
                + "  \"a\": [\n"
                + "    \"x\",\n"
                + "    true,\n"
                + "    null\n"
                + "  ],\n"
                + "  \"empty\": {},\n"
                + "  \"none\": []\n"
                + "}\n");
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    String json =
        new JsonWriter()
            .beginObject()
            .name("k\"ey")
            .value("a\\b\"c\nd\te\u0001f\u2028g é")
            .endObject()
            .toString();

    assertThat(json).isEqualTo("{\n  \"k\\\"ey\": \"a\\\\b\\\"c\\nd\\te\\u0001f\\u2028g é\"\n}\n");
  }

  @Test
  void formatsDoublesWithFixedDecimalsAndNoExponent() {
    assertThat(JsonWriter.fixed(56571.4589, 1)).isEqualTo("56571.5");
    assertThat(JsonWriter.fixed(0.15249, 3)).isEqualTo("0.152");
    assertThat(JsonWriter.fixed(0.0005, 3)).isEqualTo("0.001");
    assertThat(JsonWriter.fixed(1e12, 1)).isEqualTo("1000000000000.0");
    assertThat(JsonWriter.fixed(3, 1)).isEqualTo("3.0");
    assertThat(JsonWriter.fixed(-0.00001, 1)).isEqualTo("0.0");
    assertThat(JsonWriter.fixed(Double.NaN, 1)).isEqualTo("null");
    assertThat(JsonWriter.fixed(Double.POSITIVE_INFINITY, 3)).isEqualTo("null");
  }

  @Test
  void misuseIsRefused() {
    assertThatThrownBy(() -> new JsonWriter().beginObject().value(1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().beginArray().name("a"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().beginObject().toString())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().value(1).value(2))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().beginObject().endArray())
        .isInstanceOf(IllegalStateException.class);
  }
}
