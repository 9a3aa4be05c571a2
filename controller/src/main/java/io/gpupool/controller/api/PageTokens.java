package io.gpupool.controller.api;

import io.gpupool.controller.error.ControllerException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque page tokens: the sequence number a page ended at, so clients cannot depend on it. */
final class PageTokens {
  private static final String PREFIX = "after:";

  private PageTokens() {}

  static String encode(long afterSequence) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((PREFIX + afterSequence).getBytes(StandardCharsets.UTF_8));
  }

  /** The sequence a token stands for; 0 for an empty token. */
  static long decode(String token) {
    if (token.isEmpty()) {
      return 0;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith(PREFIX)) {
        long value = Long.parseLong(text.substring(PREFIX.length()));
        if (value >= 0) {
          return value;
        }
      }
    } catch (IllegalArgumentException e) {
      // falls through to the error below
    }
    throw ControllerException.invalid(
        "page_token: not a token this server issued; pass next_page_token from a previous response");
  }
}
