package io.gpupool.controller.limits;

import java.time.Duration;

/**
 * Every limit the controller enforces on what clients and agents send, except those of a {@code
 * cuda_kernel} workload, which task.proto states and {@code api.KernelLimits} holds. Each check
 * names the field and the limit in its message. Lengths of names and ids are in Java characters
 * (UTF-16 units, never fewer than the characters a database column counts); sizes that reach the
 * kernel or the store are in UTF-8 bytes.
 *
 * <p>Constants only; thread-safe.
 */
public final class Limits {
  /**
   * Largest gRPC message the controller accepts, in bytes: gRPC's own default, stated so it stays
   * deliberate. A submit holds at most 1 MiB of PTX plus 1 MiB of inline buffer data, and an
   * agent's log batch is far smaller. A bigger message is refused by gRPC with RESOURCE_EXHAUSTED
   * before it is parsed.
   */
  public static final int MAX_MESSAGE_BYTES = 4 << 20;

  // ---- names and ids ----

  /** A name: task name, tenant, node name, GPU model, node to place on (a DNS name's limit). */
  public static final int MAX_NAME_CHARS = 253;

  /** A submit's request_id (the store's column holds 128). */
  public static final int MAX_REQUEST_ID_CHARS = 128;

  /** A task or node id in a request, and an agent's instance id (the store's columns hold 64). */
  public static final int MAX_ID_CHARS = 64;

  /** Entries of one label map: task labels, node selector, node labels. */
  public static final int MAX_LABELS = 64;

  /** A label key. */
  public static final int MAX_LABEL_KEY_CHARS = 253;

  /** A label value. */
  public static final int MAX_LABEL_VALUE_CHARS = 1024;

  // ---- a command workload: what reaches execve ----

  /** Arguments in argv, the program included. */
  public static final int MAX_ARGS = 4096;

  /** One argument, in UTF-8 bytes (Linux refuses longer ones: MAX_ARG_STRLEN). */
  public static final int MAX_ARG_BYTES = 128 << 10;

  /** argv together, in UTF-8 bytes with a terminating NUL each (well inside Linux's ARG_MAX). */
  public static final int MAX_ARGV_BYTES = 256 << 10;

  /** Environment variables a spec adds. */
  public static final int MAX_ENV = 1024;

  /** The environment a spec adds, as {@code KEY=VALUE} plus a NUL each, in UTF-8 bytes. */
  public static final int MAX_ENV_BYTES = 256 << 10;

  /** The working directory, in UTF-8 bytes (PATH_MAX). */
  public static final int MAX_WORKING_DIR_BYTES = 4096;

  // ---- numbers ----

  /** Whole GPUs of one task, and GPUs a node may register (no machine holds more today). */
  public static final int MAX_GPUS = 64;

  /** Members of a gang. */
  public static final int MAX_GANG = 64;

  /** The highest priority class. */
  public static final int MAX_PRIORITY = 1000;

  /**
   * GPU memory a task may ask for, per GPU or as a share, in bytes (16 TiB: no GPU has more than a
   * few hundred GiB; anything near this is a unit mistake).
   */
  public static final long MAX_GPU_MEMORY_BYTES = 1L << 44;

  /** max_runtime and runtime_estimate (a year and a day). */
  public static final Duration MAX_RUNTIME = Duration.ofDays(366);

  /** kill_grace_period. */
  public static final Duration MAX_KILL_GRACE_PERIOD = Duration.ofHours(1);

  // ---- agents ----

  /** An agent's version strings (agent, driver, CUDA). */
  public static final int MAX_VERSION_CHARS = 128;

  /** A device's descriptive strings (uuid, model, PCI bus id, interconnect group, ...). */
  public static final int MAX_DEVICE_FIELD_CHARS = 253;

  /** Task ids an agent lists in its hello (known_task_ids). */
  public static final int MAX_KNOWN_TASKS = 10_000;

  /** Processes listed per device in a heartbeat. */
  public static final int MAX_GPU_PROCESSES = 1024;

  /** A device's health_reason in a heartbeat. */
  public static final int MAX_HEALTH_REASON_CHARS = 1024;

  /**
   * Free text an agent reports about a task (result message, reason code, progress message): cut to
   * this many characters, marked, since a refused update would be resent forever.
   */
  public static final int MAX_TASK_TEXT_CHARS = 4096;

  /** Named metrics in one progress report. */
  public static final int MAX_PROGRESS_METRICS = 64;

  // ---- task output the controller stores ----

  /** A log line, in UTF-8 bytes; a longer one is cut and marked. */
  public static final int MAX_LOG_LINE_BYTES = 16 << 10;

  /**
   * Log lines (and progress reports) stored per task per second; the excess is dropped and one
   * marker line says how many.
   */
  public static final int MAX_LOG_LINES_PER_SECOND = 1000;

  /** Log bytes stored per task per second; the excess is dropped as above. */
  public static final int MAX_LOG_BYTES_PER_SECOND = 1 << 20;

  /** Log lines stored per task in all (while one controller leads); then output is dropped. */
  public static final int MAX_LOG_LINES_PER_TASK = 1_000_000;

  /** Log bytes stored per task in all (while one controller leads); then output is dropped. */
  public static final long MAX_LOG_BYTES_PER_TASK = 128L << 20;

  private Limits() {}
}
