package io.gpupool.controller.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and certificates it signs, made with {@code openssl} in a
 * test's directory, so that no private key is ever committed. EC P-256 keys, valid for two days,
 * unencrypted PKCS#8 PEM keys (what the controller reads). Not thread-safe.
 */
public final class TestCertificates {
  private static final long OPENSSL_TIMEOUT_SECONDS = 30;

  private final Path dir;
  private final CertificateFiles ca;

  /** A certificate and its private key, both PEM files. */
  public record CertificateFiles(Path certificate, Path privateKey) {}

  private TestCertificates(Path dir, CertificateFiles ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /** A new self-signed CA named {@code name}, its files in {@code dir}. */
  public static TestCertificates newCa(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    CertificateFiles ca =
        new CertificateFiles(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=" + name,
        "-keyout",
        ca.privateKey().toString(),
        "-out",
        ca.certificate().toString());
    return new TestCertificates(dir, ca);
  }

  /** The CA's certificate: what clients trust and {@code --tls-client-ca} names. */
  public Path caCertificate() {
    return ca.certificate();
  }

  /**
   * A certificate for {@code name} signed by this CA, for servers and clients alike.
   *
   * @param subjectAltNames e.g. {@code DNS:localhost}, {@code IP:127.0.0.1}; none for a client
   */
  public CertificateFiles issue(String name, String... subjectAltNames) throws IOException {
    CertificateFiles issued =
        new CertificateFiles(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=" + name,
                "-CA",
                ca.certificate().toString(),
                "-CAkey",
                ca.privateKey().toString(),
                "-addext",
                "basicConstraints=critical,CA:FALSE",
                "-addext",
                "extendedKeyUsage=serverAuth,clientAuth",
                "-keyout",
                issued.privateKey().toString(),
                "-out",
                issued.certificate().toString()));
    if (subjectAltNames.length > 0) {
      args.add("-addext");
      args.add("subjectAltName=" + String.join(",", subjectAltNames));
    }
    openssl(args.toArray(String[]::new));
    return issued;
  }

  /** The key in the traditional (SEC1) format, which the controller must refuse with a hint. */
  public Path traditionalCopyOf(Path key) throws IOException {
    Path copy = key.resolveSibling(key.getFileName() + ".traditional");
    openssl("pkey", "-in", key.toString(), "-traditional", "-out", copy.toString());
    return copy;
  }

  private static void openssl(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "the TLS tests make their certificates with openssl, which is not installed (Debian"
              + " package openssl): "
              + e.getMessage(),
          e);
    }
    process.getOutputStream().close();
    try {
      // openssl prints a few lines at most, so reading to the end before waiting cannot block it.
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean exited = process.waitFor(OPENSSL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!exited || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " failed:\n" + output);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running openssl", e);
    }
  }
}
