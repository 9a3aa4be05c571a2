package io.gpupool.controller.tls;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The PEM files the controller serves TLS with on its gRPC port. Immutable; the files are read only
 * when the controller starts (see {@link ServerTlsCredentials}).
 *
 * @param certChain the server certificate, then any intermediates ({@code --tls-cert}); its subject
 *     alternative names must include every name clients reach the controller by
 * @param privateKey the certificate's private key, unencrypted PKCS#8 ({@code --tls-key})
 * @param clientCa CA certificates that client certificates must be signed by ({@code
 *     --tls-client-ca}), which makes every connection present one (mutual TLS); null to accept
 *     clients without certificates
 */
public record ServerTls(Path certChain, Path privateKey, Path clientCa) {
  /** Rejects a missing certificate or key, naming the flag. */
  public ServerTls {
    Objects.requireNonNull(certChain, "--tls-cert is required with --tls-key");
    Objects.requireNonNull(privateKey, "--tls-key is required with --tls-cert");
  }

  /**
   * The TLS setup the three flags describe: null when none is given (the caller decides whether
   * plaintext is allowed).
   *
   * @throws IllegalArgumentException naming the flag that is missing
   */
  public static ServerTls fromFlags(Path certChain, Path privateKey, Path clientCa) {
    if (certChain == null && privateKey == null) {
      if (clientCa != null) {
        throw new IllegalArgumentException(
            "--tls-client-ca needs --tls-cert and --tls-key: mutual TLS is TLS with client"
                + " certificates");
      }
      return null;
    }
    if (certChain == null || privateKey == null) {
      throw new IllegalArgumentException(
          (certChain == null ? "--tls-cert" : "--tls-key")
              + " is missing: --tls-cert and --tls-key go together");
    }
    return new ServerTls(certChain, privateKey, clientCa);
  }

  /** The CA file client certificates are checked against, when the controller requires them. */
  public Optional<Path> clientCaFile() {
    return Optional.ofNullable(clientCa);
  }

  /** True when every client must present a certificate signed by {@link #clientCa}. */
  public boolean requiresClientCertificates() {
    return clientCa != null;
  }
}
