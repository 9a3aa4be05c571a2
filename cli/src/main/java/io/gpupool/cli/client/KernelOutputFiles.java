package io.gpupool.cli.client;

import io.gpupool.proto.v1.KernelOutput;
import io.gpupool.proto.v1.KernelResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a kernel's output buffers for {@code gpupool get --output-dir DIR}, one file per output
 * named {@code argN.bin} after its argument index, replacing files of the same name. Stateless,
 * thread-safe.
 */
final class KernelOutputFiles {
  private KernelOutputFiles() {}

  /**
   * Writes every output into {@code dir}, creating it if needed.
   *
   * @return the file of each argument index, in output order
   * @throws CommandFailedException naming {@code --output-dir} and the file when writing fails
   */
  static Map<Integer, Path> write(KernelResult result, Path dir) {
    Map<Integer, Path> files = new LinkedHashMap<>();
    Path file = dir;
    try {
      Files.createDirectories(dir);
      for (KernelOutput output : result.getOutputsList()) {
        file = dir.resolve(fileName(output.getArgumentIndex()));
        Files.write(file, output.getData().toByteArray());
        files.put(output.getArgumentIndex(), file);
      }
    } catch (IOException e) {
      throw new CommandFailedException("--output-dir: cannot write " + file + " (" + e + ")");
    }
    return files;
  }

  /** {@code arg3.bin} */
  static String fileName(int argumentIndex) {
    return "arg" + argumentIndex + ".bin";
  }
}
