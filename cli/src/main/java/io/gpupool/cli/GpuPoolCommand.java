package io.gpupool.cli;

import io.gpupool.cli.client.AuditCommand;
import io.gpupool.cli.client.CancelCommand;
import io.gpupool.cli.client.ClientContext;
import io.gpupool.cli.client.ControllerChannels;
import io.gpupool.cli.client.CordonCommand;
import io.gpupool.cli.client.GetCommand;
import io.gpupool.cli.client.GpuCommand;
import io.gpupool.cli.client.ListCommand;
import io.gpupool.cli.client.LogsCommand;
import io.gpupool.cli.client.NodesCommand;
import io.gpupool.cli.client.PolicyCommand;
import io.gpupool.cli.client.SubmitCommand;
import io.gpupool.cli.client.TokenCommand;
import io.gpupool.cli.client.TopCommand;
import io.gpupool.cli.client.UsageCommand;
import io.gpupool.cli.client.WatchCommand;
import io.gpupool.cli.client.WhoamiCommand;
import io.gpupool.cli.server.AgentCommand;
import io.gpupool.cli.server.BenchCommand;
import io.gpupool.cli.server.ControllerCommand;
import io.gpupool.cli.server.DevCommand;
import io.gpupool.cli.server.DiagCommand;
import io.gpupool.cli.server.SimulateCommand;
import java.time.Clock;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code gpupool} command: the root of the command tree and the runnable jar's main class.
 * Adding a subcommand means adding its class to {@code subcommands} below.
 *
 * <p>Build it with {@code new CommandLine(new GpuPoolCommand(...))}: errors are reported the same
 * way however the {@link CommandLine} is made (see {@link CliErrorHandler} and {@link
 * UsageErrorHandler}). Client subcommands take their channel factory and clock from here. One
 * instance per execution; not thread-safe.
 */
@Command(
    name = "gpupool",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    modelTransformer = GpuPoolCommand.ReportErrors.class,
    description = "Pools the GPUs of many machines and runs tasks on them.",
    subcommands = {
      SubmitCommand.class,
      GetCommand.class,
      ListCommand.class,
      WatchCommand.class,
      LogsCommand.class,
      CancelCommand.class,
      NodesCommand.class,
      TopCommand.class,
      CordonCommand.Cordon.class,
      CordonCommand.Uncordon.class,
      GpuCommand.class,
      PolicyCommand.class,
      UsageCommand.class,
      TokenCommand.class,
      WhoamiCommand.class,
      AuditCommand.class,
      DevCommand.class,
      ControllerCommand.class,
      AgentCommand.class,
      DiagCommand.class,
      SimulateCommand.class,
      BenchCommand.class,
      HelpCommand.class,
    })
public final class GpuPoolCommand implements Runnable, ClientContext.Provider {
  private final ClientContext clientContext;

  @Spec private CommandSpec spec;

  /**
   * Talks to real controllers over gRPC (plaintext, or TLS as the flags say), with the system
   * clock.
   */
  public GpuPoolCommand() {
    this(ClientContext.system());
  }

  /** Talks to controllers through the given channels (tests pass in-process ones). */
  public GpuPoolCommand(ControllerChannels channels) {
    this(new ClientContext(channels, Clock.systemDefaultZone()));
  }

  /** Talks to controllers through the given channels and shows times from the given clock. */
  public GpuPoolCommand(ControllerChannels channels, Clock clock) {
    this(new ClientContext(channels, clock));
  }

  /** Talks to controllers as {@code clientContext} says (tests pass saved tokens of their own). */
  public GpuPoolCommand(ClientContext clientContext) {
    this.clientContext = Objects.requireNonNull(clientContext, "clientContext");
  }

  /** Runs the command line and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new GpuPoolCommand()).execute(args));
  }

  @Override
  public ClientContext clientContext() {
    return clientContext;
  }

  /** {@code gpupool} without a subcommand is a usage error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand; see the list below");
  }

  /**
   * Installs {@link CliErrorHandler} and {@link UsageErrorHandler} on the {@link CommandLine} built
   * around a {@link GpuPoolCommand}. Picocli applies a model transformer once the CommandLine
   * exists, so main, tests and anyone embedding the command get the same error reporting.
   */
  static final class ReportErrors implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec commandSpec) {
      commandSpec
          .commandLine()
          .setExecutionExceptionHandler(new CliErrorHandler())
          .setParameterExceptionHandler(new UsageErrorHandler());
      return commandSpec;
    }
  }
}
