package io.gpupool.cli.client;

import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.Dim3;
import io.gpupool.proto.v1.KernelArgument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of {@code gpupool submit} that make a CUDA kernel workload ({@code --cuda-ptx} and
 * its companions), mixed into the command, and the workload they describe. One instance per
 * invocation; not thread-safe.
 */
public final class KernelOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec mixee;

  @Option(
      names = "--cuda-ptx",
      paramLabel = "FILE",
      description = "Run a CUDA kernel from this PTX module (nvcc --ptx) instead of a command.")
  private Path ptx;

  @Option(
      names = "--kernel",
      paramLabel = "NAME",
      description = "The .entry of the PTX module to launch; required with --cuda-ptx.")
  private String kernel;

  @Option(
      names = "--grid",
      paramLabel = "X[,Y[,Z]]",
      converter = Dim3Converter.class,
      description = "Grid dimensions in blocks. Default: 1.")
  private Dim3 grid;

  @Option(
      names = "--block",
      paramLabel = "X[,Y[,Z]]",
      converter = Dim3Converter.class,
      description = "Block dimensions in threads. Default: 1.")
  private Dim3 block;

  @Option(
      names = "--shared-memory",
      paramLabel = "BYTES",
      description = "Dynamic shared memory per block, in bytes. Default: 0.")
  private Integer sharedMemoryBytes;

  @Option(
      names = "--arg",
      paramLabel = "ARG",
      converter = KernelArgumentConverter.class,
      description = {
        "A kernel parameter, one per parameter, in order: " + KernelArgumentConverter.SYNTAX + ".",
        "A buffer is SIZE bytes of zeros unless fill=BYTE, hex=HEX or file=PATH gives its content;"
            + " :out returns it after the launch (see gpupool get)."
      })
  private List<KernelArgument> arguments = new ArrayList<>();

  /** True when {@code --cuda-ptx} was given. */
  boolean requested() {
    return ptx != null;
  }

  /**
   * The kernel workload, or empty without {@code --cuda-ptx}.
   *
   * @throws ParameterException naming the flag: a kernel option without {@code --cuda-ptx}, no
   *     {@code --kernel}, a negative {@code --shared-memory}, or a PTX file that cannot be read
   */
  Optional<CudaKernelWorkload> workload() {
    if (ptx == null) {
      List<String> strays = new ArrayList<>();
      if (kernel != null) {
        strays.add("--kernel");
      }
      if (grid != null) {
        strays.add("--grid");
      }
      if (block != null) {
        strays.add("--block");
      }
      if (sharedMemoryBytes != null) {
        strays.add("--shared-memory");
      }
      if (!arguments.isEmpty()) {
        strays.add("--arg");
      }
      if (!strays.isEmpty()) {
        throw usage(String.join(", ", strays) + " only go with --cuda-ptx FILE");
      }
      return Optional.empty();
    }
    if (kernel == null || kernel.isBlank()) {
      throw usage("--cuda-ptx needs --kernel NAME, the .entry to launch");
    }
    if (sharedMemoryBytes != null && sharedMemoryBytes < 0) {
      throw usage("--shared-memory must not be negative, but it is " + sharedMemoryBytes);
    }
    Dim3 one = Dim3.newBuilder().setX(1).setY(1).setZ(1).build();
    return Optional.of(
        CudaKernelWorkload.newBuilder()
            .setPtx(readPtx())
            .setKernel(kernel)
            .setGrid(grid == null ? one : grid)
            .setBlock(block == null ? one : block)
            .setSharedMemoryBytes(sharedMemoryBytes == null ? 0 : sharedMemoryBytes)
            .addAllArguments(arguments)
            .build());
  }

  private String readPtx() {
    try {
      return Files.readString(ptx);
    } catch (IOException e) {
      throw usage("--cuda-ptx: cannot read " + ptx + " (" + e + ")");
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(mixee.commandLine(), message);
  }
}
