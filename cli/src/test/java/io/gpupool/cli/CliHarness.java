package io.gpupool.cli;

import io.gpupool.cli.client.ClientContext;
import io.gpupool.cli.client.ControllerChannels;
import io.gpupool.cli.client.SavedTokens;
import io.gpupool.cli.client.Terminal;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * Runs {@code gpupool} in-process against a {@link FakeScheduler} on an in-process server, with a
 * fixed clock at {@link #NOW} in UTC and no terminal (see {@link #terminal}), and captures exit
 * code, stdout and stderr.
 */
final class CliHarness implements AutoCloseable {
  static final Instant NOW = Instant.parse("2026-11-03T12:00:00Z");

  final FakeScheduler scheduler = new FakeScheduler();

  /** What the CLI is told about its stdout; no terminal unless a test says otherwise. */
  volatile Terminal terminal = Terminal.none();

  /** Every target the CLI opened a channel to. */
  final List<String> targets = new CopyOnWriteArrayList<>();

  private final String serverName = InProcessServerBuilder.generateName();
  private final Server server;

  /** What one run printed and returned. */
  record Result(int exitCode, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }
  }

  /** A run in progress on another thread, whose output can be read while it runs. */
  record Running(CompletableFuture<Integer> exitCode, StringWriter out, StringWriter err) {}

  CliHarness() throws IOException {
    server =
        InProcessServerBuilder.forName(serverName)
            .directExecutor()
            .addService(scheduler)
            .build()
            .start();
  }

  /** Channels to the fake, whatever the target; targets are recorded. */
  ControllerChannels channels() {
    return (target, credentials) -> {
      targets.add(target);
      return InProcessChannelBuilder.forName(serverName).build();
    };
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = commandLine(out, err).execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  Running start(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = commandLine(out, err);
    return new Running(CompletableFuture.supplyAsync(() -> commandLine.execute(args)), out, err);
  }

  private CommandLine commandLine(StringWriter out, StringWriter err) {
    ClientContext context =
        new ClientContext(
            channels(), Clock.fixed(NOW, ZoneOffset.UTC), SavedTokens.none(), terminal);
    return new CommandLine(new GpuPoolCommand(context))
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err));
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
