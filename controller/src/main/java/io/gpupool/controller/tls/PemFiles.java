package io.gpupool.controller.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files of the TLS flags with the JDK, failing with an {@link
 * IllegalArgumentException} whose message names the flag, the file and what to do about it. Netty
 * would reject the same files later with messages that name neither. Stateless.
 */
final class PemFiles {
  private static final Pattern PKCS8_KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final Pattern OTHER_KEY =
      Pattern.compile("-----BEGIN (RSA|EC|DSA|ENCRYPTED) PRIVATE KEY-----");

  private PemFiles() {}

  /** The file's bytes. */
  static byte[] read(Path file, String flag) {
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

  /** The certificates in PEM {@code pem}, in file order; at least one. */
  static List<X509Certificate> certificates(byte[] pem, Path file, String flag) {
    List<X509Certificate> certificates;
    try {
      certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))
              .stream()
              .map(X509Certificate.class::cast)
              .toList();
    } catch (CertificateException e) {
      certificates = List.of();
    }
    if (certificates.isEmpty()) {
      throw problem(flag, file, "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
    }
    return certificates;
  }

  /**
   * The unencrypted PKCS#8 private key in PEM {@code pem}, of {@code algorithm} (the algorithm of
   * the certificate's public key: RSA, EC, EdDSA).
   */
  static PrivateKey privateKey(byte[] pem, Path file, String flag, String algorithm) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    Matcher pkcs8 = PKCS8_KEY.matcher(text);
    if (!pkcs8.find()) {
      Matcher other = OTHER_KEY.matcher(text);
      if (other.find() && other.group(1).equals("ENCRYPTED")) {
        throw problem(
            flag,
            file,
            "the key is encrypted; gpupool needs it unencrypted (protect the file with mode 0600"
                + " instead): openssl pkcs8 -topk8 -nocrypt -in "
                + file
                + " -out KEY.pem");
      }
      if (other.find(0)) {
        throw problem(
            flag,
            file,
            "the key is in the traditional format (-----BEGIN "
                + other.group(1)
                + " PRIVATE KEY-----); gpupool reads PKCS#8 (-----BEGIN PRIVATE KEY-----): convert"
                + " it with openssl pkcs8 -topk8 -nocrypt -in "
                + file
                + " -out KEY.pem");
      }
      throw problem(flag, file, "no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)");
    }
    try {
      byte[] der = Base64.getMimeDecoder().decode(pkcs8.group(1));
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw problem(
          flag,
          file,
          "not a valid "
              + algorithm
              + " private key, which the certificate's public key needs (is it the certificate's"
              + " key?)");
    }
  }

  /** An error naming the flag and the file: {@code --tls-key /etc/key.pem: no such file}. */
  static IllegalArgumentException problem(String flag, Path file, String what) {
    return new IllegalArgumentException(flag + " " + file + ": " + what);
  }
}
