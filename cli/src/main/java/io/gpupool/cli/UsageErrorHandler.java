package io.gpupool.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reports a usage error as its message and a pointer to the command's help, then exits with
 * picocli's usage exit code (2). A command with subcommands shows its full usage instead, which is
 * short and lists them, unless picocli could suggest what was meant. Keeps the message in view,
 * where picocli's default would bury it above the whole option list.
 *
 * <p>Stateless and thread-safe.
 */
public final class UsageErrorHandler implements IParameterExceptionHandler {
  @Override
  public int handleParseException(ParameterException exception, String[] args) {
    CommandLine commandLine = exception.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println(exception.getMessage());
    boolean suggested = UnmatchedArgumentException.printSuggestions(exception, err);
    if (suggested || commandLine.getSubcommands().isEmpty()) {
      err.println(
          "Run '" + commandLine.getCommandSpec().qualifiedName() + " --help' for its usage.");
    } else {
      commandLine.usage(err);
    }
    err.flush();
    return commandLine.getCommandSpec().exitCodeOnInvalidInput();
  }
}
