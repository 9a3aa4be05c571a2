package io.gpupool.cli.client;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** How a client command prints its answer ({@code -o/--output}). */
public enum OutputFormat {
  /** Aligned text for people. */
  TABLE,
  /** The wire messages in proto3 JSON form, for scripts. */
  JSON;

  /** The value as typed on the command line. */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Accepts {@code table} and {@code json}, in any case. Stateless, thread-safe. */
  public static final class Converter implements ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      for (OutputFormat format : values()) {
        if (format.name().equalsIgnoreCase(value.strip())) {
          return format;
        }
      }
      throw new TypeConversionException(
          "'"
              + value
              + "' is not an output format; valid: "
              + Arrays.stream(values())
                  .map(OutputFormat::flagValue)
                  .collect(Collectors.joining(", ")));
    }
  }
}
