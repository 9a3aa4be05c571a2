package io.gpupool.controller.sim;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Writes indented JSON with keys in the order they are written and numbers in a fixed format, so
 * the same report is always the same bytes. Doubles are written with a given number of decimals
 * (half-up), NaN and infinities as {@code null}.
 *
 * <p>Use: {@code new JsonWriter().beginObject().name("a").value(1).endObject().toString()}. Not
 * thread-safe. Calls out of order (a value where a name is due, unbalanced ends) throw {@link
 * IllegalStateException}.
 */
public final class JsonWriter {
  private static final String INDENT = "  ";

  private enum Scope {
    EMPTY_OBJECT,
    OBJECT,
    NAMED,
    EMPTY_ARRAY,
    ARRAY
  }

  private final StringBuilder out = new StringBuilder();
  private final Deque<Scope> scopes = new ArrayDeque<>();
  private boolean done;

  /** Opens an object. */
  public JsonWriter beginObject() {
    beforeValue();
    out.append('{');
    scopes.push(Scope.EMPTY_OBJECT);
    return this;
  }

  /** Closes the innermost object. */
  public JsonWriter endObject() {
    return close(Scope.EMPTY_OBJECT, Scope.OBJECT, '}');
  }

  /** Opens an array. */
  public JsonWriter beginArray() {
    beforeValue();
    out.append('[');
    scopes.push(Scope.EMPTY_ARRAY);
    return this;
  }

  /** Closes the innermost array. */
  public JsonWriter endArray() {
    return close(Scope.EMPTY_ARRAY, Scope.ARRAY, ']');
  }

  /** Writes the name of the next member of the current object. */
  public JsonWriter name(String name) {
    Scope scope = scopes.peek();
    if (scope != Scope.EMPTY_OBJECT && scope != Scope.OBJECT) {
      throw new IllegalStateException("a name belongs inside an object, before its value");
    }
    if (scope == Scope.OBJECT) {
      out.append(',');
    }
    newline();
    string(name);
    out.append(": ");
    scopes.pop();
    scopes.push(Scope.OBJECT);
    scopes.push(Scope.NAMED);
    return this;
  }

  /** Writes a string, or {@code null}. */
  public JsonWriter value(String value) {
    beforeValue();
    if (value == null) {
      out.append("null");
    } else {
      string(value);
    }
    return this;
  }

  /** Writes a whole number. */
  public JsonWriter value(long value) {
    beforeValue();
    out.append(value);
    return this;
  }

  /** Writes a boolean. */
  public JsonWriter value(boolean value) {
    beforeValue();
    out.append(value);
    return this;
  }

  /** Writes {@code value} with exactly {@code decimals} decimals; NaN and infinities as null. */
  public JsonWriter value(double value, int decimals) {
    beforeValue();
    out.append(fixed(value, decimals));
    return this;
  }

  /** Writes {@code null}. */
  public JsonWriter nullValue() {
    beforeValue();
    out.append("null");
    return this;
  }

  /**
   * The document, ending in a newline.
   *
   * @throws IllegalStateException if an object or array is still open, or nothing was written
   */
  @Override
  public String toString() {
    if (!done || !scopes.isEmpty()) {
      throw new IllegalStateException("the JSON document is not complete");
    }
    return out + "\n";
  }

  /**
   * {@code value} with exactly {@code decimals} decimals, rounded half-up, without exponent; {@code
   * "null"} for NaN and infinities.
   */
  static String fixed(double value, int decimals) {
    if (!Double.isFinite(value)) {
      return "null";
    }
    String text =
        BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
    // -0.0 and small negatives that round to zero read as a sign error in a report.
    return text.startsWith("-") && new BigDecimal(text).signum() == 0 ? text.substring(1) : text;
  }

  private void beforeValue() {
    Scope scope = scopes.peek();
    if (scope == null) {
      if (done) {
        throw new IllegalStateException("a JSON document has one top-level value");
      }
      done = true;
      return;
    }
    switch (scope) {
      case NAMED -> scopes.pop();
      case EMPTY_ARRAY -> {
        scopes.pop();
        scopes.push(Scope.ARRAY);
        newline();
      }
      case ARRAY -> {
        out.append(',');
        newline();
      }
      default -> throw new IllegalStateException("a value inside an object needs a name first");
    }
  }

  private JsonWriter close(Scope empty, Scope full, char bracket) {
    Scope scope = scopes.peek();
    if (scope != empty && scope != full) {
      throw new IllegalStateException("nothing to close with '" + bracket + "'");
    }
    scopes.pop();
    if (scope == full) {
      newline();
    }
    out.append(bracket);
    return this;
  }

  private void newline() {
    out.append('\n');
    out.append(INDENT.repeat(scopes.size()));
  }

  private void string(String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
