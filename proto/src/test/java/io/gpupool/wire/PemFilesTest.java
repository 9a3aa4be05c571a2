package io.gpupool.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The messages about wrong PEM files, which name the option and the file. */
@Timeout(60)
class PemFilesTest {
  @TempDir Path dir;

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("missing.pem");

    assertThat(PemFiles.certificateProblem("--tls-ca", missing))
        .contains("--tls-ca " + missing + ": no such file");
    assertThat(PemFiles.privateKeyProblem("--tls-key", missing, "the agent"))
        .contains("--tls-key " + missing + ": no such file");
    assertThatThrownBy(() -> PemFiles.read("--tls-cert", missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--tls-cert " + missing + ": no such file");
  }

  @Test
  void aFileWithoutACertificateSaysWhatWasExpected() throws IOException {
    Path notPem = file("ca.pem", "hello\n");

    assertThat(PemFiles.certificateProblem("tls caFile", notPem))
        .contains(
            "tls caFile "
                + notPem
                + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
    assertThatThrownBy(() -> PemFiles.certificates("--tls-ca", notPem))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--tls-ca "
                + notPem
                + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
  }

  @Test
  void aTraditionalKeySaysHowToConvertIt() throws IOException {
    Path rsa =
        file("rsa.pem", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

    assertThat(PemFiles.privateKeyProblem("--tls-key", rsa, "the agent"))
        .contains(
            "--tls-key "
                + rsa
                + ": a key in the traditional RSA format; the agent reads unencrypted PKCS#8"
                + " (-----BEGIN PRIVATE KEY-----): convert it with openssl pkcs8 -topk8 -nocrypt"
                + " -in "
                + rsa
                + " -out KEY.pem");
  }

  @Test
  void anEncryptedKeyIsNamedSo() throws IOException {
    Path encrypted =
        file(
            "enc.pem",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");

    assertThatThrownBy(() -> PemFiles.privateKey("--tls-key", encrypted, "gpupool"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(": a key in the encrypted format; gpupool reads unencrypted PKCS#8");
  }

  @Test
  void aPkcs8KeyPassesAndAnythingElseSaysWhatWasExpected() throws IOException {
    String pkcs8 = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    Path key = file("key.pem", pkcs8);
    Path empty = file("empty.pem", "");

    assertThat(PemFiles.privateKeyProblem("--tls-key", key, "the agent")).isEmpty();
    assertThat(PemFiles.privateKey("--tls-key", key, "the agent"))
        .isEqualTo(pkcs8.getBytes(StandardCharsets.US_ASCII));
    assertThat(PemFiles.privateKeyProblem("--tls-key", empty, "the agent"))
        .contains(
            "--tls-key "
                + empty
                + ": no PEM private key in it (expected -----BEGIN PRIVATE KEY-----)");
  }
}
