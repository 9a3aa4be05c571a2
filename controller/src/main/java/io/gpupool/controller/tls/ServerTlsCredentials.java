package io.gpupool.controller.tls;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The gRPC server credentials of a {@link ServerTls}, with a one-line summary for the start-up log.
 * Immutable and thread-safe.
 *
 * <p>{@link #load} reads the files once and checks them with the JDK before gRPC sees them: the
 * files are readable, hold PEM certificates and an unencrypted PKCS#8 key, the key belongs to the
 * certificate, and the certificate is valid now. Each failure is an {@link
 * IllegalArgumentException} naming the flag and the file.
 */
public final class ServerTlsCredentials {
  static final String CERT_FLAG = "--tls-cert";
  static final String KEY_FLAG = "--tls-key";
  static final String CLIENT_CA_FLAG = "--tls-client-ca";

  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;

  private final ServerCredentials credentials;
  private final String summary;

  private ServerTlsCredentials(ServerCredentials credentials, String summary) {
    this.credentials = credentials;
    this.summary = summary;
  }

  /**
   * Reads and checks the files of {@code tls}.
   *
   * @param now the time the certificate must be valid at
   * @throws IllegalArgumentException naming the flag and file at fault, e.g. {@code --tls-key
   *     /etc/gpupool/key.pem: no such file}
   */
  public static ServerTlsCredentials load(ServerTls tls, Instant now) {
    byte[] chainPem = PemFiles.read(tls.certChain(), CERT_FLAG);
    List<X509Certificate> chain = PemFiles.certificates(chainPem, tls.certChain(), CERT_FLAG);
    X509Certificate leaf = chain.get(0);
    requireValidAt(leaf, now, tls);
    byte[] keyPem = PemFiles.read(tls.privateKey(), KEY_FLAG);
    PrivateKey key =
        PemFiles.privateKey(keyPem, tls.privateKey(), KEY_FLAG, leaf.getPublicKey().getAlgorithm());
    requireKeyOf(leaf, key, tls);
    TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder();
    String summary =
        "TLS with the certificate for "
            + names(leaf)
            + " (valid until "
            + leaf.getNotAfter().toInstant()
            + ")";
    try {
      builder.keyManager(new ByteArrayInputStream(chainPem), new ByteArrayInputStream(keyPem));
      if (tls.requiresClientCertificates()) {
        byte[] caPem = PemFiles.read(tls.clientCa(), CLIENT_CA_FLAG);
        List<X509Certificate> cas = PemFiles.certificates(caPem, tls.clientCa(), CLIENT_CA_FLAG);
        builder
            .trustManager(new ByteArrayInputStream(caPem))
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        summary +=
            "; every client must present a certificate signed by "
                + cas.get(0).getSubjectX500Principal().getName()
                + (cas.size() > 1 ? " (or " + (cas.size() - 1) + " more CAs)" : "");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading PEM bytes from memory failed", e);
    }
    return new ServerTlsCredentials(builder.build(), summary);
  }

  /** Credentials for {@code NettyServerBuilder.forAddress(address, credentials)}. */
  public ServerCredentials credentials() {
    return credentials;
  }

  /**
   * E.g. {@code TLS with the certificate for ctl-1.example.com, 10.0.0.5 (valid until ...)}, for
   * the log.
   */
  public String summary() {
    return summary;
  }

  private static void requireValidAt(X509Certificate leaf, Instant now, ServerTls tls) {
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    if (now.isAfter(notAfter)) {
      throw PemFiles.problem(
          CERT_FLAG, tls.certChain(), "the certificate expired at " + notAfter + "; renew it");
    }
    if (now.isBefore(notBefore)) {
      throw PemFiles.problem(
          CERT_FLAG,
          tls.certChain(),
          "the certificate is valid only from " + notBefore + " (is this machine's clock right?)");
    }
  }

  /** Signs a random challenge with the key and verifies it with the certificate's public key. */
  private static void requireKeyOf(X509Certificate leaf, PrivateKey key, ServerTls tls) {
    Optional<String> algorithm = signatureAlgorithm(key.getAlgorithm());
    if (algorithm.isEmpty()) {
      return; // an unusual key type: the handshake will tell
    }
    boolean matches;
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm.get());
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm.get());
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(challenge);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw PemFiles.problem(
          KEY_FLAG,
          tls.privateKey(),
          "not the private key of the certificate in " + CERT_FLAG + " " + tls.certChain());
    }
  }

  private static Optional<String> signatureAlgorithm(String keyAlgorithm) {
    return switch (keyAlgorithm) {
      case "RSA" -> Optional.of("SHA256withRSA");
      case "EC" -> Optional.of("SHA256withECDSA");
      case "EdDSA", "Ed25519", "Ed448" -> Optional.of(keyAlgorithm);
      default -> Optional.empty();
    };
  }

  /** The certificate's DNS and IP subject alternative names, or its subject when it has none. */
  private static String names(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> name : alternatives) {
          int type = (Integer) name.get(0);
          if (type == SAN_DNS || type == SAN_IP) {
            names.add(String.valueOf(name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // fall back to the subject below
    }
    return names.isEmpty()
        ? certificate.getSubjectX500Principal().getName()
        : String.join(", ", names);
  }
}
