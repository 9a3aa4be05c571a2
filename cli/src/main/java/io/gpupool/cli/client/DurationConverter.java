package io.gpupool.cli.client;

import io.gpupool.cli.text.DurationParser;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a positive duration option ({@code 90s}, {@code 1h30m}, {@code PT5M}, ...); picocli turns a
 * failure into a usage error that names the option. Stateless, thread-safe.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    Duration duration;
    try {
      duration = DurationParser.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
    if (duration.isZero()) {
      throw new TypeConversionException(
          "'" + value + "' is zero; give a positive duration, " + DurationParser.EXAMPLES);
    }
    return duration;
  }
}
