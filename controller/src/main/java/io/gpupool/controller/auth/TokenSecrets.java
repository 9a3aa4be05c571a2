package io.gpupool.controller.auth;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shape of token secrets: {@code gpt_<id>_<43 characters of URL-safe base64>}, 256 random bits
 * after a 64-bit public id, so that a secret names its token (looked up by id, then compared by
 * hash) and is easy to spot in a leaked file. Thread-safe.
 */
final class TokenSecrets {
  static final String PREFIX = "gpt_";
  private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenSecrets() {}

  /** A new random public id: 16 lower-case hex digits. */
  static String newId() {
    return HexFormat.of().formatHex(random(8));
  }

  /** A new secret for the token {@code id}. */
  static String newSecret(String id) {
    return PREFIX + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random(32));
  }

  /** The token id a secret names; empty when it does not look like a gpupool token secret. */
  static Optional<String> idOf(String secret) {
    if (!secret.startsWith(PREFIX)) {
      return Optional.empty();
    }
    int end = secret.indexOf('_', PREFIX.length());
    if (end < 0) {
      return Optional.empty();
    }
    String id = secret.substring(PREFIX.length(), end);
    return ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
  }

  private static byte[] random(int count) {
    byte[] bytes = new byte[count];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
