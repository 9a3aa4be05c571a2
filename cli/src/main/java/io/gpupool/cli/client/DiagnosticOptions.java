package io.gpupool.cli.client;

import io.gpupool.proto.v1.DiagnosticCheck;
import io.gpupool.proto.v1.DiagnosticWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of {@code gpupool submit} that make a diagnostic workload ({@code --diagnostic},
 * {@code --checks}), mixed into the command. One instance per invocation; not thread-safe.
 */
public final class DiagnosticOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(
      names = "--diagnostic",
      description =
          "Run the built-in GPU diagnostics instead of a command; a pass ends the GPU's quarantine.")
  private boolean diagnostic;

  @Option(
      names = "--checks",
      split = ",",
      paramLabel = "CHECK",
      converter = DiagnosticCheckConverter.class,
      description = "Diagnostic checks to run: bandwidth, fma. Default: all.")
  private List<DiagnosticCheck> checks = new ArrayList<>();

  /** True when {@code --diagnostic} was given. */
  boolean requested() {
    return diagnostic;
  }

  /**
   * The diagnostic workload, or empty without {@code --diagnostic}.
   *
   * @throws ParameterException for {@code --checks} without {@code --diagnostic}
   */
  Optional<DiagnosticWorkload> workload() {
    if (!diagnostic) {
      if (!checks.isEmpty()) {
        throw new ParameterException(mixee.commandLine(), "--checks only goes with --diagnostic");
      }
      return Optional.empty();
    }
    return Optional.of(
        DiagnosticWorkload.newBuilder().addAllChecks(checks.stream().distinct().toList()).build());
  }
}
