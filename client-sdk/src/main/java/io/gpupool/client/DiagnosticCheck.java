package io.gpupool.client;

/** A built-in diagnostic check the agent runs on a GPU ({@link TaskSpec.Builder#diagnostic}). */
public enum DiagnosticCheck {
  /** Device memory bandwidth with a copy kernel, in GB/s. */
  MEMORY_BANDWIDTH,
  /** Single-precision fused multiply-add throughput, in GFLOP/s. */
  FMA_THROUGHPUT
}
