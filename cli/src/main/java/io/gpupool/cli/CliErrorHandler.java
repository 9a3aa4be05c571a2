package io.gpupool.cli;

import io.gpupool.agent.AgentStartException;
import io.gpupool.cli.client.ClientTlsOptions;
import io.gpupool.cli.client.CommandFailedException;
import io.gpupool.cli.client.ControllerOptions;
import io.gpupool.wire.TlsHandshakeFailures;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Turns what a command throws into one line on stderr and exit code {@value #EXIT_FAILURE}: a gRPC
 * status as {@code error: NOT_FOUND: task t-9 not found}, an unreachable controller with its
 * address and how to start one, a failed TLS handshake with its reason and the flag to check,
 * anything else as {@code error: <message>}. Users never see a stack trace; it is logged at debug
 * level for developers. Usage errors do not come here: picocli reports them and exits with 2.
 *
 * <p>Stateless and thread-safe.
 */
public final class CliErrorHandler implements IExecutionExceptionHandler {
  /** Exit code of a command that failed at run time. */
  public static final int EXIT_FAILURE = 1;

  private static final Logger LOG = LoggerFactory.getLogger(CliErrorHandler.class);

  @Override
  public int handleExecutionException(
      Exception exception, CommandLine commandLine, ParseResult parseResult) {
    LOG.debug("{} failed", commandLine.getCommandName(), exception);
    PrintWriter err = commandLine.getErr();
    err.println("error: " + message(exception, commandLine));
    err.flush();
    return EXIT_FAILURE;
  }

  private static String message(Exception exception, CommandLine commandLine) {
    Optional<Status> status = grpcStatus(exception);
    if (status.isPresent()) {
      return statusMessage(status.get(), commandLine);
    }
    if (exception instanceof CommandFailedException
        || exception instanceof IllegalArgumentException
        || exception instanceof AgentStartException) {
      // Configuration and start-up errors carry messages written for the user, naming the flag.
      return exception.getMessage();
    }
    // A bug in the CLI: say what broke without drowning the user in a trace.
    return exception.getClass().getSimpleName()
        + (exception.getMessage() == null ? "" : ": " + exception.getMessage());
  }

  private static Optional<Status> grpcStatus(Throwable throwable) {
    for (Throwable t = throwable; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException e) {
        return Optional.of(e.getStatus());
      }
      if (t instanceof StatusException e) {
        return Optional.of(e.getStatus());
      }
    }
    return Optional.empty();
  }

  private static String statusMessage(Status status, CommandLine commandLine) {
    String code = status.getCode().name();
    String description = status.getDescription();
    Optional<String> tls =
        TlsHandshakeFailures.explanation(
            status,
            controllerAddress(commandLine),
            ClientTlsOptions.requested(commandLine),
            ClientTlsOptions.HANDSHAKE_HINTS);
    if (tls.isPresent()) {
      return code + ": " + tls.get();
    }
    if (status.getCode() == Status.Code.UNAVAILABLE) {
      String address = controllerAddress(commandLine);
      // With a controller and its standbys, every one was tried: say so rather than name one.
      return code
          + (address.contains(",")
              ? ": cannot reach any of the controllers at " + address.replace(",", ", ")
              : ": cannot reach a controller at " + address)
          + (description == null ? "" : " (" + description + ")")
          + "; start one with 'gpupool dev' or 'gpupool controller', or point "
          + ControllerOptions.CONTROLLER_OPTION
          + " (env GPUPOOL_CONTROLLER) at a running one";
    }
    if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      return code
          + ": the controller at "
          + controllerAddress(commandLine)
          + " did not answer in time"
          + (description == null ? "" : " (" + description + ")");
    }
    if (status.getCode() == Status.Code.UNAUTHENTICATED
        && (description == null || !description.contains(ControllerOptions.TOKEN_OPTION))) {
      return code
          + (description == null ? "" : ": " + description)
          + "; pass a token with "
          + ControllerOptions.TOKEN_OPTION
          + " or GPUPOOL_TOKEN (the controller's first admin token is in its"
          + " DATA_DIR/admin.token)";
    }
    return description == null ? code : code + ": " + description;
  }

  private static String controllerAddress(CommandLine commandLine) {
    OptionSpec option =
        commandLine.getCommandSpec().findOption(ControllerOptions.CONTROLLER_OPTION);
    Object value = option == null ? null : option.getValue();
    return value == null ? "the configured address" : value.toString();
  }
}
