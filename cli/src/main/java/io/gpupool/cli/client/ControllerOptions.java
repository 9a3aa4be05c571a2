package io.gpupool.cli.client;

import io.grpc.ChannelCredentials;
import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options every client subcommand shares ({@code --controller}, {@code --token}, the {@code
 * --tls*} flags of {@link ClientTlsOptions}, {@code -o/--output}, {@code -h/--help}), mixed into
 * each with {@code @Mixin}, and the way to the controller that follows from them.
 *
 * <p>One instance per subcommand invocation; not thread-safe.
 */
public final class ControllerOptions {
  /** Name of the option with the controller's address; the error handler reads it back. */
  public static final String CONTROLLER_OPTION = "--controller";

  /** Name of the option with the bearer token. */
  public static final String TOKEN_OPTION = "--token";

  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(
      names = CONTROLLER_OPTION,
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      defaultValue = "${env:GPUPOOL_CONTROLLER:-localhost:7070}",
      description =
          "Controller address, or the addresses of a controller and its standbys (env"
              + " GPUPOOL_CONTROLLER). Default: ${DEFAULT-VALUE}.")
  private String controller;

  @Mixin private ClientTlsOptions tls;

  @Option(
      names = TOKEN_OPTION,
      paramLabel = "TOKEN",
      defaultValue = "${env:GPUPOOL_TOKEN}",
      description =
          "Bearer token to call the controller with (env GPUPOOL_TOKEN): the controller's"
              + " DATA_DIR/admin.token, or one from 'gpupool token create'. Default: the token"
              + " 'gpupool dev' saved on this machine for --controller, if any.")
  private String token;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      converter = OutputFormat.Converter.class,
      description = "table, or json (the wire messages in proto3 JSON). Default: table.")
  private OutputFormat output;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  private boolean help;

  /** The controller address the command talks to. */
  public String controller() {
    return controller;
  }

  /** The chosen output format. */
  public OutputFormat output() {
    return output;
  }

  /** True when the user asked for JSON. */
  public boolean json() {
    return output == OutputFormat.JSON;
  }

  /**
   * The context of the command tree this subcommand runs in: the root's when it provides one (as
   * {@code GpuPoolCommand} does), the system's otherwise.
   */
  public ClientContext context() {
    return mixee.root().userObject() instanceof ClientContext.Provider provider
        ? provider.clientContext()
        : ClientContext.system();
  }

  /**
   * Opens a connection to the controller; close it when the command ends.
   *
   * @throws ParameterException when the address is blank, or a {@code --tls*} flag is wrong
   */
  public ControllerConnection connect() {
    if (controller == null || controller.isBlank()) {
      throw new ParameterException(
          mixee.commandLine(),
          CONTROLLER_OPTION + " (or GPUPOOL_CONTROLLER) must be HOST:PORT, but it is empty");
    }
    String target = controller.strip();
    ChannelCredentials credentials;
    try {
      credentials = tls.credentials();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(mixee.commandLine(), e.getMessage());
    }
    try {
      return new ControllerConnection(
          target, context().channels().open(target, credentials), token(target));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(mixee.commandLine(), CONTROLLER_OPTION + ": " + e.getMessage());
    }
  }

  /** The token given, else the one saved for {@code target}; null when there is none. */
  private String token(String target) {
    if (token != null && !token.isBlank()) {
      String given = token.strip();
      if (!given.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new ParameterException(
            mixee.commandLine(),
            TOKEN_OPTION
                + " (or GPUPOOL_TOKEN) must be printable ASCII without spaces, as 'gpupool token"
                + " create' prints it");
      }
      return given;
    }
    return context().savedTokens().find(target).orElse(null);
  }

  /** Where the command writes its answer. */
  public PrintWriter out() {
    return mixee.commandLine().getOut();
  }

  /** Where the command writes diagnostics and the workload's stderr lines. */
  public PrintWriter err() {
    return mixee.commandLine().getErr();
  }
}
