package io.gpupool.client;

/** The output stream a {@link TaskEvent.LogLine} was written to. */
public enum LogStream {
  /** Standard output. */
  STDOUT,
  /** Standard error. */
  STDERR
}
