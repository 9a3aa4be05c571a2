package io.gpupool.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the PEM files of the TLS options when the options are built, so that a wrong path or file
 * fails there, naming the option, rather than in the first call. Stateless.
 */
final class TlsFiles {
  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final Pattern TRADITIONAL_KEY =
      Pattern.compile("-----BEGIN (RSA|EC|DSA|ENCRYPTED) PRIVATE KEY-----");

  private TlsFiles() {}

  /** What is wrong with a file that should hold PEM certificates, if anything. */
  static Optional<String> certificateProblem(String option, Path file) {
    byte[] pem;
    try {
      pem = Files.readAllBytes(file);
    } catch (IOException e) {
      return Optional.of(option + " " + file + ": " + unreadable(e));
    }
    try {
      if (!CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))
          .isEmpty()) {
        return Optional.empty();
      }
    } catch (CertificateException e) {
      // reported below
    }
    return Optional.of(
        option + " " + file + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
  }

  /** What is wrong with a file that should hold an unencrypted PKCS#8 PEM key, if anything. */
  static Optional<String> privateKeyProblem(String option, Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return Optional.of(option + " " + file + ": " + unreadable(e));
    }
    if (pem.contains(PKCS8_BEGIN)) {
      return Optional.empty();
    }
    Matcher other = TRADITIONAL_KEY.matcher(pem);
    if (other.find()) {
      return Optional.of(
          option
              + " "
              + file
              + ": a key in the "
              + (other.group(1).equals("ENCRYPTED") ? "encrypted" : "traditional " + other.group(1))
              + " format; the client reads unencrypted PKCS#8 ("
              + PKCS8_BEGIN
              + "): convert it with openssl pkcs8 -topk8 -nocrypt -in "
              + file
              + " -out KEY.pem");
    }
    return Optional.of(
        option + " " + file + ": no PEM private key in it (expected " + PKCS8_BEGIN + ")");
  }

  private static String unreadable(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return "cannot read it: " + e.getMessage();
  }
}
