package io.gpupool.cli.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files of the {@code --tls*} flags and checks that they hold what the flag needs,
 * failing with an {@link IllegalArgumentException} that names the flag and the file. Stateless.
 */
final class TlsFiles {
  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final Pattern TRADITIONAL_KEY =
      Pattern.compile("-----BEGIN (RSA|EC|DSA|ENCRYPTED) PRIVATE KEY-----");

  private TlsFiles() {}

  /** The bytes of a file of PEM certificates (at least one). */
  static byte[] certificates(String flag, Path file) {
    byte[] pem = read(flag, file);
    try {
      if (!CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))
          .isEmpty()) {
        return pem;
      }
    } catch (CertificateException e) {
      // reported below
    }
    throw problem(flag, file, "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
  }

  /** The bytes of a file with an unencrypted PKCS#8 PEM private key. */
  static byte[] privateKey(String flag, Path file) {
    byte[] pem = read(flag, file);
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (text.contains(PKCS8_BEGIN)) {
      return pem;
    }
    Matcher other = TRADITIONAL_KEY.matcher(text);
    if (other.find()) {
      throw problem(
          flag,
          file,
          "a key in the "
              + (other.group(1).equals("ENCRYPTED") ? "encrypted" : "traditional " + other.group(1))
              + " format; gpupool reads unencrypted PKCS#8 ("
              + PKCS8_BEGIN
              + "): convert it with openssl pkcs8 -topk8 -nocrypt -in "
              + file
              + " -out KEY.pem");
    }
    throw problem(flag, file, "no PEM private key in it (expected " + PKCS8_BEGIN + ")");
  }

  private static byte[] read(String flag, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw problem(flag, file, "no such file");
    } catch (AccessDeniedException e) {
      throw problem(flag, file, "permission denied");
    } catch (IOException e) {
      throw problem(flag, file, "cannot read it: " + e.getMessage());
    }
  }

  private static IllegalArgumentException problem(String flag, Path file, String what) {
    return new IllegalArgumentException(flag + " " + file + ": " + what);
  }
}
