package io.gpupool.cli.server;

import io.gpupool.cli.client.CommandFailedException;
import io.gpupool.cli.client.OutputFormat;
import io.gpupool.controller.auth.AuditLog;
import io.gpupool.controller.bench.E2eBenchConfig;
import io.gpupool.controller.bench.E2eBenchResult;
import io.gpupool.controller.bench.E2eBenchmark;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool bench e2e}: durable submits per second through a real controller started in this
 * process (see {@link E2eBenchmark}). One instance per execution; not thread-safe.
 */
@Command(
    name = "e2e",
    mixinStandardHelpOptions = true,
    description = {
      "Times durable submits end to end: starts a controller on 127.0.0.1 (no agents, so every task"
          + " stays pending) on embedded H2 in a temporary directory, or on --store, and sends"
          + " SubmitTask calls over --clients gRPC channels, each keeping --in-flight outstanding."
          + " The controller answers a submit only once it is committed. A warm-up of a tenth of"
          + " --tasks goes first and is not timed.",
      "Reports submits per second and per-submit latency percentiles, then counts the stored tasks"
          + " and fails if one submit is missing.",
    })
final class BenchE2eCommand implements Callable<Integer> {
  /** slf4j-simple's level of the audit logger, read when that logger is first made. */
  private static final String AUDIT_LEVEL = "org.slf4j.simpleLogger.log." + AuditLog.LOGGER;

  @Spec private CommandSpec spec;

  @Option(
      names = "--tasks",
      paramLabel = "N",
      defaultValue = "20000",
      description = "Timed submits. Default: ${DEFAULT-VALUE}.")
  int tasks;

  @Option(
      names = "--clients",
      paramLabel = "N",
      defaultValue = "8",
      description = "gRPC channels, one submitting thread each. Default: ${DEFAULT-VALUE}.")
  int clients;

  @Option(
      names = "--in-flight",
      paramLabel = "N",
      defaultValue = "64",
      description = "Outstanding submits per client at most. Default: ${DEFAULT-VALUE}.")
  int inFlight;

  @Option(
      names = "--store",
      paramLabel = "JDBC_URL",
      description =
          "Database to benchmark, e.g. jdbc:postgresql://db:5432/gpupool; the tasks stay there."
              + " Default: embedded H2 in a temporary directory, deleted afterwards.")
  String store;

  @Option(
      names = "--store-user",
      paramLabel = "USER",
      defaultValue = "${env:GPUPOOL_STORE_USER}",
      description = "Database user, unless the URL carries it (env GPUPOOL_STORE_USER).")
  String storeUser;

  @Option(
      names = "--store-password",
      paramLabel = "PASSWORD",
      defaultValue = "${env:GPUPOOL_STORE_PASSWORD}",
      description = "Database password (env GPUPOOL_STORE_PASSWORD; prefer the env over the flag).")
  String storePassword;

  @Option(
      names = "--no-authentication",
      description =
          "Run the controller without authentication, to see what checking a token on every call"
              + " costs. Default: on, as a real controller runs.")
  boolean noAuthentication;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      converter = OutputFormat.Converter.class,
      description = "table (aligned key value lines), or json (one object). Default: table.")
  OutputFormat output;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Also write the figures as one JSON object to FILE.")
  Path out;

  @Override
  public Integer call() throws InterruptedException {
    E2eBenchConfig config = config();
    // One audit line per submit would bury the figures; the audit records are still stored.
    if (System.getProperty(AUDIT_LEVEL) == null) {
      System.setProperty(AUDIT_LEVEL, "warn");
    }
    E2eBenchResult result;
    try {
      result = new E2eBenchmark().run(config);
    } catch (IOException e) {
      throw new CommandFailedException(
          "cannot start the benchmark's controller: " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new CommandFailedException("bench e2e failed: " + e.getMessage());
    }
    if (out != null) {
      try {
        Files.writeString(out, result.toJson() + System.lineSeparator(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CommandFailedException("cannot write --out " + out + ": " + e);
      }
    }
    PrintWriter stdout = spec.commandLine().getOut();
    if (output == OutputFormat.JSON) {
      stdout.println(result.toJson());
    } else {
      stdout.print(result.toText());
    }
    stdout.flush();
    return 0;
  }

  private E2eBenchConfig config() {
    requireAtLeast("--tasks", tasks);
    requireAtLeast("--clients", clients);
    requireAtLeast("--in-flight", inFlight);
    if (store != null && !store.startsWith("jdbc:")) {
      throw new ParameterException(
          spec.commandLine(),
          "--store must be a JDBC URL such as jdbc:postgresql://db:5432/gpupool");
    }
    if (out != null) {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new ParameterException(
            spec.commandLine(), "--out: directory " + parent + " does not exist");
      }
    }
    E2eBenchConfig config =
        E2eBenchConfig.h2(tasks, clients, inFlight).withAuthentication(!noAuthentication);
    return store == null ? config : config.withStore(store, storeUser, storePassword);
  }

  private void requireAtLeast(String flag, int value) {
    if (value < 1) {
      throw new ParameterException(
          spec.commandLine(), flag + " must be at least 1, but it is " + value);
    }
  }
}
