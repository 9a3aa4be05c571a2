package io.gpupool.agent.device;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the NVIDIA management library ({@value #LIBRARY}) the way the dynamic linker would: in the
 * usual system library directories and the {@code LD_LIBRARY_PATH} entries.
 *
 * <p>Immutable and thread-safe.
 */
public final class NvmlLocator {

  /** The file name of the NVML shared library. */
  public static final String LIBRARY = "libnvidia-ml.so.1";

  private static final List<String> SYSTEM_DIRS =
      List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/nvidia/lib64");

  private final List<Path> searchDirs;

  /** Searches the given directories, in order. */
  public NvmlLocator(List<Path> searchDirs) {
    this.searchDirs = List.copyOf(searchDirs);
  }

  /**
   * Searches the system library directories, then the entries of a {@code LD_LIBRARY_PATH} value.
   *
   * @param ldLibraryPath the variable's value; null or empty when unset
   */
  public static NvmlLocator systemDefault(String ldLibraryPath) {
    List<Path> dirs = new ArrayList<>();
    SYSTEM_DIRS.forEach(d -> dirs.add(Path.of(d)));
    if (ldLibraryPath != null) {
      for (String entry : ldLibraryPath.split(File.pathSeparator)) {
        if (!entry.isBlank()) {
          dirs.add(Path.of(entry));
        }
      }
    }
    return new NvmlLocator(dirs);
  }

  /** The directories searched, in order. */
  public List<Path> searchDirs() {
    return searchDirs;
  }

  /** The first {@value #LIBRARY} found, if any. */
  public Optional<Path> find() {
    return searchDirs.stream()
        .map(dir -> dir.resolve(LIBRARY))
        .filter(Files::isRegularFile)
        .findFirst();
  }
}
