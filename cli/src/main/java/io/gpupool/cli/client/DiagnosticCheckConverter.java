package io.gpupool.cli.client;

import io.gpupool.proto.v1.DiagnosticCheck;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads one of {@code --checks}: {@code bandwidth} (memory bandwidth) or {@code fma} (FP32 FMA
 * throughput). Stateless, thread-safe.
 */
public final class DiagnosticCheckConverter implements ITypeConverter<DiagnosticCheck> {
  @Override
  public DiagnosticCheck convert(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "bandwidth" -> DiagnosticCheck.DIAGNOSTIC_CHECK_MEMORY_BANDWIDTH;
      case "fma" -> DiagnosticCheck.DIAGNOSTIC_CHECK_FMA_THROUGHPUT;
      default ->
          throw new TypeConversionException(
              "'" + value + "' is not a diagnostic check; valid: bandwidth, fma");
    };
  }

  /** The name {@link #convert} reads, for output: {@code bandwidth} or {@code fma}. */
  static String name(DiagnosticCheck check) {
    return switch (check) {
      case DIAGNOSTIC_CHECK_MEMORY_BANDWIDTH -> "bandwidth";
      case DIAGNOSTIC_CHECK_FMA_THROUGHPUT -> "fma";
      default -> check.name();
    };
  }
}
