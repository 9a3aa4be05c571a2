package io.gpupool.wire;

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
 * Checks and reads the PEM files of the TLS options (CA certificates, a certificate chain, a
 * private key), with messages that name the option and the file, e.g. {@code --tls-ca /etc/ca.pem:
 * no such file}. Shared by the CLI, the client SDK and the agent so that each says the same thing
 * about the same wrong file. Stateless and thread-safe.
 */
public final class PemFiles {
  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final Pattern TRADITIONAL_KEY =
      Pattern.compile("-----BEGIN (RSA|EC|DSA|ENCRYPTED) PRIVATE KEY-----");

  private PemFiles() {}

  /**
   * What is wrong with a file that should hold PEM certificates (at least one), if anything.
   *
   * @param option how the user named the file, e.g. {@code --tls-ca} or {@code tls caFile}
   */
  public static Optional<String> certificateProblem(String option, Path file) {
    byte[] pem;
    try {
      pem = Files.readAllBytes(file);
    } catch (IOException e) {
      return Optional.of(unreadable(option, file, e));
    }
    return certificatesProblem(option, file, pem);
  }

  /**
   * What is wrong with a file that should hold an unencrypted PKCS#8 PEM private key, if anything.
   *
   * @param option how the user named the file, e.g. {@code --tls-key}
   * @param reader who reads the key, for the message about other key formats, e.g. {@code the
   *     agent} in "the agent reads unencrypted PKCS#8"
   */
  public static Optional<String> privateKeyProblem(String option, Path file, String reader) {
    byte[] pem;
    try {
      pem = Files.readAllBytes(file);
    } catch (IOException e) {
      return Optional.of(unreadable(option, file, e));
    }
    return privateKeyProblem(option, file, reader, pem);
  }

  /**
   * The bytes of the file.
   *
   * @throws IllegalArgumentException naming the option and the file when it cannot be read
   */
  public static byte[] read(String option, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(unreadable(option, file, e), e);
    }
  }

  /**
   * The bytes of a file of PEM certificates (at least one).
   *
   * @throws IllegalArgumentException with the {@link #certificateProblem} message when it is not
   */
  public static byte[] certificates(String option, Path file) {
    byte[] pem = read(option, file);
    certificatesProblem(option, file, pem)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    return pem;
  }

  /**
   * The bytes of a file with an unencrypted PKCS#8 PEM private key.
   *
   * @throws IllegalArgumentException with the {@link #privateKeyProblem} message when it is not
   */
  public static byte[] privateKey(String option, Path file, String reader) {
    byte[] pem = read(option, file);
    privateKeyProblem(option, file, reader, pem)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    return pem;
  }

  private static Optional<String> certificatesProblem(String option, Path file, byte[] pem) {
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

  private static Optional<String> privateKeyProblem(
      String option, Path file, String reader, byte[] bytes) {
    String pem = new String(bytes, StandardCharsets.US_ASCII);
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
              + " format; "
              + reader
              + " reads unencrypted PKCS#8 ("
              + PKCS8_BEGIN
              + "): convert it with openssl pkcs8 -topk8 -nocrypt -in "
              + file
              + " -out KEY.pem");
    }
    return Optional.of(
        option + " " + file + ": no PEM private key in it (expected " + PKCS8_BEGIN + ")");
  }

  private static String unreadable(String option, Path file, IOException e) {
    String what;
    if (e instanceof NoSuchFileException) {
      what = "no such file";
    } else if (e instanceof AccessDeniedException) {
      what = "permission denied";
    } else {
      what = "cannot read it: " + e.getMessage();
    }
    return option + " " + file + ": " + what;
  }
}
