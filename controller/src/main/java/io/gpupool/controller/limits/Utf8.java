package io.gpupool.controller.limits;

/**
 * UTF-8 sizes of Java strings without encoding them, for limits stated in bytes.
 *
 * <p>Stateless; thread-safe.
 */
public final class Utf8 {
  private Utf8() {}

  /** How many bytes {@code text} takes in UTF-8 (an unpaired surrogate counts as the 3 of '?'). */
  public static long length(CharSequence text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * The longest prefix of {@code text} that fits in {@code maxBytes} of UTF-8, never splitting a
   * surrogate pair; {@code text} itself when it fits.
   */
  public static String prefix(String text, int maxBytes) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int width;
      int chars = 1;
      if (c < 0x80) {
        width = 1;
      } else if (c < 0x800) {
        width = 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        width = 4;
        chars = 2;
      } else {
        width = 3;
      }
      if (bytes + width > maxBytes) {
        return text.substring(0, i);
      }
      bytes += width;
      i += chars - 1;
    }
    return text;
  }
}
