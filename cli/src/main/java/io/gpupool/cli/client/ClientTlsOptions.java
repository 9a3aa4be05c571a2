package io.gpupool.cli.client;

import io.gpupool.wire.PemFiles;
import io.gpupool.wire.TlsHandshakeFailures;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The {@code --tls*} flags of the client subcommands (mixed into {@link ControllerOptions}): TLS to
 * the controller, trusting {@code --tls-ca} or the JVM's CAs, with a client certificate for a
 * controller that requires one. Without any of them the CLI talks plaintext.
 *
 * <p>One instance per subcommand invocation; not thread-safe.
 */
public final class ClientTlsOptions {
  static final String TLS = "--tls";
  static final String CA = "--tls-ca";
  static final String CERT = "--tls-cert";
  static final String KEY = "--tls-key";

  /**
   * How a failed TLS handshake names these flags, for explaining a bare {@code UNAVAILABLE} (see
   * {@link TlsHandshakeFailures}).
   */
  public static final TlsHandshakeFailures.Hints HANDSHAKE_HINTS =
      new TlsHandshakeFailures.Hints(
          "leave out --tls, --tls-ca and --tls-cert",
          "the client certificate",
          "pass --tls-cert and --tls-key",
          "check --tls-ca",
          address ->
              "the controller at "
                  + address
                  + " closed the connection ("
                  + TlsHandshakeFailures.PLAINTEXT_TO_TLS
                  + "); if it serves TLS, pass --tls-ca FILE (env GPUPOOL_TLS_CA) or --tls");

  @Option(
      names = TLS,
      description =
          "Talk TLS to the controller, trusting the JVM's CAs; implied by --tls-ca and --tls-cert.")
  private boolean tls;

  @Option(
      names = CA,
      paramLabel = "FILE",
      defaultValue = "${env:GPUPOOL_TLS_CA}",
      description =
          "CA certificates (PEM) to check the controller's certificate with; implies --tls (env"
              + " GPUPOOL_TLS_CA).")
  private Path ca;

  @Option(
      names = CERT,
      paramLabel = "FILE",
      defaultValue = "${env:GPUPOOL_TLS_CERT}",
      description =
          "Client certificate (PEM) for a controller that requires one (mutual TLS), with"
              + " --tls-key; implies --tls (env GPUPOOL_TLS_CERT).")
  private Path cert;

  @Option(
      names = KEY,
      paramLabel = "FILE",
      defaultValue = "${env:GPUPOOL_TLS_KEY}",
      description = "Private key of --tls-cert, unencrypted PKCS#8 PEM (env GPUPOOL_TLS_KEY).")
  private Path key;

  /** True when the flags ask for TLS. */
  public boolean requested() {
    return tls || given(ca) || given(cert);
  }

  /**
   * The channel credentials the flags describe: plaintext, or TLS with their files read and
   * checked.
   *
   * @throws IllegalArgumentException naming the flag whose file is missing, unreadable or wrong, or
   *     the one missing of --tls-cert and --tls-key
   */
  public ChannelCredentials credentials() {
    if (given(cert) != given(key)) {
      throw new IllegalArgumentException(
          (given(cert) ? KEY : CERT) + " is missing: " + CERT + " and " + KEY + " go together");
    }
    if (!requested()) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
    try {
      if (given(ca)) {
        credentials.trustManager(new ByteArrayInputStream(PemFiles.certificates(CA, ca)));
      }
      if (given(cert)) {
        credentials.keyManager(
            new ByteArrayInputStream(PemFiles.certificates(CERT, cert)),
            new ByteArrayInputStream(PemFiles.privateKey(KEY, key, "gpupool")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading PEM bytes from memory failed", e);
    }
    return credentials.build();
  }

  /**
   * True when the command line that ran asked for TLS; for the error handler, which sees the
   * command line but not this mixin.
   */
  public static boolean requested(CommandLine commandLine) {
    for (String name : new String[] {TLS, CA, CERT}) {
      OptionSpec option = commandLine.getCommandSpec().findOption(name);
      Object value = option == null ? null : option.getValue();
      if (value instanceof Boolean on ? on : value instanceof Path path && given(path)) {
        return true;
      }
    }
    return false;
  }

  /** An empty environment variable counts as not given. */
  private static boolean given(Path file) {
    return file != null && !file.toString().isEmpty();
  }
}
