package io.gpupool.cli.client;

import com.google.protobuf.ByteString;
import io.gpupool.proto.v1.DeviceBuffer;
import io.gpupool.proto.v1.KernelArgument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads one {@code --arg} of {@code gpupool submit --cuda-ptx}: {@code i32:N}, {@code i64:N},
 * {@code f32:X}, {@code f64:X}, or {@code buf:SIZE[:fill=BYTE|:hex=HEX|:file=PATH][:out]}. Integers
 * may be decimal or {@code 0x} hex; {@code i32} takes unsigned values up to 2^32-1 too (passed as
 * their bit pattern, for {@code .u32} parameters). A {@code file=} buffer is read here. Picocli
 * turns a failure into a usage error naming {@code --arg}; the message shows the expected syntax.
 * Stateless, thread-safe.
 */
public final class KernelArgumentConverter implements ITypeConverter<KernelArgument> {
  /** The syntax of one argument, for help and error messages. */
  public static final String SYNTAX =
      "i32:N, i64:N, f32:X, f64:X or buf:SIZE[:fill=BYTE|:hex=HEX|:file=PATH][:out]";

  private static final String OUTPUT_SUFFIX = ":out";

  @Override
  public KernelArgument convert(String value) {
    int colon = value.indexOf(':');
    if (colon < 0) {
      throw invalid(value, "no type prefix");
    }
    String type = value.substring(0, colon).toLowerCase(Locale.ROOT);
    String rest = value.substring(colon + 1);
    KernelArgument.Builder argument = KernelArgument.newBuilder();
    try {
      switch (type) {
        case "i32" -> argument.setInt32Value(int32(rest));
        case "i64" -> argument.setInt64Value(Long.decode(rest.strip()));
        case "f32" -> argument.setFloatValue(Float.parseFloat(number(rest)));
        case "f64" -> argument.setDoubleValue(Double.parseDouble(number(rest)));
        case "buf" -> argument.setBuffer(buffer(value, rest));
        default -> throw invalid(value, "unknown type '" + type + "'");
      }
    } catch (NumberFormatException e) {
      throw invalid(value, "'" + rest + "' is not a valid " + type + " value");
    }
    return argument.build();
  }

  private static int int32(String text) {
    long parsed = Long.decode(text.strip());
    if (parsed < Integer.MIN_VALUE || parsed > 0xFFFF_FFFFL) {
      throw new NumberFormatException(text);
    }
    return (int) parsed;
  }

  /** Rejects the hex-float and type-suffix forms Java would accept ({@code 1f}, {@code 0x1p3}). */
  private static String number(String text) {
    String stripped = text.strip();
    if (stripped.isEmpty() || !stripped.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
      throw new NumberFormatException(text);
    }
    return stripped;
  }

  private static DeviceBuffer buffer(String value, String spec) {
    boolean output = spec.endsWith(OUTPUT_SUFFIX);
    if (output) {
      spec = spec.substring(0, spec.length() - OUTPUT_SUFFIX.length());
    }
    // SIZE, then at most one initial content; a file path may itself hold ':'.
    String[] parts = spec.split(":", 2);
    long size;
    try {
      size = Long.decode(parts[0].strip());
    } catch (NumberFormatException e) {
      throw invalid(value, "buffer size '" + parts[0] + "' is not a number of bytes");
    }
    if (size < 1) {
      throw invalid(value, "buffer size must be at least 1 byte");
    }
    DeviceBuffer.Builder buffer = DeviceBuffer.newBuilder().setSizeBytes(size).setOutput(output);
    if (parts.length == 2) {
      initial(value, parts[1], buffer);
    }
    return buffer.build();
  }

  private static void initial(String value, String initial, DeviceBuffer.Builder buffer) {
    int equals = initial.indexOf('=');
    String key = equals < 0 ? initial : initial.substring(0, equals);
    String content = equals < 0 ? "" : initial.substring(equals + 1);
    switch (key) {
      case "fill" -> buffer.setFillByte(fillByte(value, content));
      case "hex" -> buffer.setData(checked(value, hex(value, content), buffer.getSizeBytes()));
      case "file" -> buffer.setData(checked(value, file(value, content), buffer.getSizeBytes()));
      default -> throw invalid(value, "unknown buffer content '" + initial + "'");
    }
  }

  private static int fillByte(String value, String text) {
    try {
      int fill = Integer.decode(text.strip());
      if (fill >= 0 && fill <= 255) {
        return fill;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(value, "fill must be a byte value 0 to 255, got '" + text + "'");
  }

  private static byte[] hex(String value, String text) {
    try {
      return HexFormat.of().parseHex(text.strip());
    } catch (IllegalArgumentException e) {
      throw invalid(value, "hex must be an even number of hex digits, got '" + text + "'");
    }
  }

  private static byte[] file(String value, String name) {
    try {
      return Files.readAllBytes(Path.of(name));
    } catch (IOException | InvalidPathException e) {
      throw invalid(value, "cannot read file '" + name + "' (" + e.getMessage() + ")");
    }
  }

  private static ByteString checked(String value, byte[] data, long size) {
    if (data.length > size) {
      throw invalid(
          value, "the initial content has " + data.length + " bytes, more than the size " + size);
    }
    return ByteString.copyFrom(data);
  }

  private static TypeConversionException invalid(String value, String problem) {
    return new TypeConversionException("'" + value + "': " + problem + "; expected " + SYNTAX);
  }
}
