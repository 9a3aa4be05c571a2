package io.gpupool.client;

/**
 * Three dimensions of a kernel launch (grid in blocks, or block in threads). Immutable.
 *
 * @param x X dimension, at least 1
 * @param y Y dimension, at least 1
 * @param z Z dimension, at least 1
 */
public record Dim3(int x, int y, int z) {
  /**
   * Checks that every dimension is at least 1; the controller checks the upper limits.
   *
   * @throws IllegalArgumentException naming the dimension that is too small
   */
  public Dim3 {
    if (x < 1 || y < 1 || z < 1) {
      throw new IllegalArgumentException(
          "every dimension must be at least 1, got (" + x + ", " + y + ", " + z + ")");
    }
  }

  /** Returns {@code (x, 1, 1)}. */
  public static Dim3 of(int x) {
    return new Dim3(x, 1, 1);
  }

  /** Returns {@code (x, y, 1)}. */
  public static Dim3 of(int x, int y) {
    return new Dim3(x, y, 1);
  }

  /** Returns {@code (x, y, z)}. */
  public static Dim3 of(int x, int y, int z) {
    return new Dim3(x, y, z);
  }
}
