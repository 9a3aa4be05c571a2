package io.gpupool.cli.client;

import io.gpupool.proto.v1.Dim3;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads launch dimensions {@code X[,Y[,Z]]} ({@code --grid}, {@code --block}); missing ones are 1
 * and every one must be at least 1 (the controller checks the upper limits). Stateless,
 * thread-safe.
 */
public final class Dim3Converter implements ITypeConverter<Dim3> {
  @Override
  public Dim3 convert(String value) {
    String[] parts = value.split(",", -1);
    if (parts.length > 3) {
      throw invalid(value);
    }
    int[] dims = {1, 1, 1};
    for (int i = 0; i < parts.length; i++) {
      try {
        dims[i] = Integer.parseInt(parts[i].strip());
      } catch (NumberFormatException e) {
        throw invalid(value);
      }
      if (dims[i] < 1) {
        throw invalid(value);
      }
    }
    return Dim3.newBuilder().setX(dims[0]).setY(dims[1]).setZ(dims[2]).build();
  }

  private static TypeConversionException invalid(String value) {
    return new TypeConversionException(
        "'" + value + "' is not X[,Y[,Z]] with each dimension at least 1, e.g. 256 or 16,16");
  }
}
