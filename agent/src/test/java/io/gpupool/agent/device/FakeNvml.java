package io.gpupool.agent.device;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in libnvidia-ml.so.1 built from {@code fake-nvml/fake_nvml.c} with gcc into a test's
 * directory, and the config file it answers from. {@link #set} rewrites the file; the library reads
 * it on every call, so changes apply at once. Not thread-safe.
 */
public final class FakeNvml {

  private static final Path GCC = Path.of("/usr/bin/gcc");

  private final Path library;
  private final Path config;
  private final Map<String, String> values = new LinkedHashMap<>();

  private FakeNvml(Path library, Path config) {
    this.library = library;
    this.config = config;
  }

  /**
   * Builds the library into a directory, with an empty config.
   *
   * @param minimal true to leave out the optional functions, as an old driver does
   * @throws AssertionError when gcc is missing or the build fails: these tests need gcc
   */
  public static FakeNvml build(Path dir, boolean minimal) throws IOException, InterruptedException {
    Path source = dir.resolve("fake_nvml.c");
    try (InputStream in = FakeNvml.class.getResourceAsStream("/fake-nvml/fake_nvml.c")) {
      Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
    }
    Path config = dir.resolve("fake-nvml.conf");
    Path library = dir.resolve("libnvidia-ml.so.1");
    String gcc = Files.isExecutable(GCC) ? GCC.toString() : "gcc";
    List<String> command = new ArrayList<>();
    command.addAll(List.of(gcc, "-shared", "-fPIC", "-O1", "-Wall"));
    command.add("-DFAKE_NVML_CONFIG=\"" + config.toAbsolutePath() + "\"");
    if (minimal) {
      command.add("-DFAKE_NVML_MINIMAL");
    }
    command.addAll(List.of("-o", library.toString(), source.toString()));
    Process gccProcess;
    try {
      gccProcess = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "gcc is needed to build the fake NVML library for these tests (tried "
              + gcc
              + "): install gcc (apt-get install gcc)",
          e);
    }
    String output = new String(gccProcess.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!gccProcess.waitFor(60, TimeUnit.SECONDS) || gccProcess.exitValue() != 0) {
      throw new AssertionError("building the fake NVML library failed: " + command + "\n" + output);
    }
    FakeNvml fake = new FakeNvml(library, config);
    fake.write();
    return fake;
  }

  /**
   * Builds the full library configured as a node with two NVLinked H100s (driver 550.54.15, CUDA
   * 12.4).
   */
  public static FakeNvml twoH100s(Path dir) throws IOException, InterruptedException {
    return build(dir, false).configureTwoH100s();
  }

  /** Configures two NVLinked H100s, as {@link #twoH100s} does. */
  public FakeNvml configureTwoH100s() throws IOException {
    set("devices", 2);
    set("driver_version", "550.54.15");
    set("cuda_driver_version", 12040);
    for (int i = 0; i < 2; i++) {
      set("dev" + i + ".uuid", "GPU-0000000" + i + "-fake-fake-fake-000000000000");
      set("dev" + i + ".name", "NVIDIA H100 80GB HBM3");
      set("dev" + i + ".bus_id", busId(i));
      set("dev" + i + ".mem_total", 85_899_345_920L);
      set("dev" + i + ".mem_used", 1_073_741_824L * (i + 1));
      set("dev" + i + ".util_gpu", 40 + i);
      set("dev" + i + ".util_mem", 20 + i);
      set("dev" + i + ".power_mw", 250_500 + i * 1000);
      set("dev" + i + ".power_limit_mw", 700_000);
      set("dev" + i + ".temp", 45 + i);
      set("dev" + i + ".cc_major", 9);
      set("dev" + i + ".cc_minor", 0);
      set("dev" + i + ".ecc_corrected", 3);
      set("dev" + i + ".ecc_uncorrected", 0);
      set("dev" + i + ".nvlinks", 4);
      set("dev" + i + ".nvlink.0", busId(1 - i));
      set("dev" + i + ".nvlink.1", busId(1 - i));
    }
    return this;
  }

  /** The PCI bus id the fake's device of an index has in {@link #configureTwoH100s}. */
  public static String busId(int index) {
    return String.format("00000000:%02X:00.0", 0x3B + index);
  }

  /** The library file. */
  public Path library() {
    return library;
  }

  /** Sets a key of the config and rewrites the file. */
  public FakeNvml set(String key, Object value) throws IOException {
    values.put(key, String.valueOf(value));
    write();
    return this;
  }

  /** Removes a key of the config (making its measurement unsupported) and rewrites the file. */
  public FakeNvml remove(String key) throws IOException {
    values.remove(key);
    write();
    return this;
  }

  private void write() throws IOException {
    StringBuilder text = new StringBuilder();
    values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    // Replace the file in one step: the library may read it at any moment.
    Path tmp = config.resolveSibling(config.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
