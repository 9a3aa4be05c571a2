package io.gpupool.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to run and what it needs: a command run on one node with the requested GPUs visible, a CUDA
 * kernel run on one GPU ({@link CudaKernel}), or the built-in diagnostics ({@link Diagnostic}).
 * Immutable and thread-safe; build one with {@link #builder()}.
 *
 * <pre>{@code
 * TaskSpec spec = TaskSpec.builder()
 *     .name("train")
 *     .command("python", "train.py", "--epochs", "10")
 *     .gpus(2)
 *     .env("WANDB_MODE", "offline")
 *     .maxRuntime(Duration.ofHours(2))
 *     .build();
 * }</pre>
 *
 * <p>A kernel or a diagnostic, pinned to GPUs 2 and 3 of one node:
 *
 * <pre>{@code
 * TaskSpec.builder().cudaKernel(kernel).build();
 * TaskSpec.builder().diagnostic(Diagnostic.all()).node("gpu-box-1").deviceIndices(2, 3).build();
 * }</pre>
 *
 * <p>The client checks only what is plainly wrong (no workload or more than one, fewer than one
 * GPU, device indices without a node, negative durations); the controller validates everything and
 * rejects the rest with {@link ErrorCode#INVALID_ARGUMENT}.
 *
 * @param name human-readable name, not unique; empty if not given
 * @param command program and arguments, run directly (no shell); the program is looked up on the
 *     agent's PATH
 * @param env extra environment variables for the process, in the order given
 * @param workingDir working directory on the node; empty for a fresh directory per task
 * @param cudaKernel the CUDA kernel to launch instead of a command; needs exactly one GPU
 * @param diagnostic the built-in diagnostics to run instead of a command, on every assigned GPU
 * @param gpus number of whole GPUs, all on one node; at least 1
 * @param gpuModel GPU model the devices must match, e.g. {@code H100} (case-insensitive substring
 *     of the model name); empty for any
 * @param node run only on this node (id or name); empty for any node
 * @param deviceIndices use exactly these GPUs of {@code node}, as many as {@code gpus}; empty to
 *     let the scheduler choose. Only a diagnostic may be placed on a quarantined GPU.
 * @param maxRuntime wall-clock limit, after which the task is killed and FAILED; empty for none
 * @param killGracePeriod time between SIGTERM and SIGKILL on cancel; empty for the controller's
 *     default (10 s)
 * @param labels free-form key/value labels for your own bookkeeping
 * @param requestId idempotency key: a second submit with the same id returns the first task instead
 *     of creating another; empty to let the client make one per submit call
 */
public record TaskSpec(
    String name,
    List<String> command,
    Map<String, String> env,
    Optional<String> workingDir,
    Optional<CudaKernel> cudaKernel,
    Optional<Diagnostic> diagnostic,
    int gpus,
    Optional<String> gpuModel,
    Optional<String> node,
    List<Integer> deviceIndices,
    Optional<Duration> maxRuntime,
    Optional<Duration> killGracePeriod,
    Map<String, String> labels,
    Optional<String> requestId) {

  /** The longest request id the controller accepts. */
  public static final int MAX_REQUEST_ID_LENGTH = 128;

  /**
   * Validates and copies the components.
   *
   * @throws IllegalArgumentException naming every invalid component
   * @throws NullPointerException if a component, list element or map entry is null
   */
  public TaskSpec {
    Objects.requireNonNull(name, "name");
    command = List.copyOf(command);
    env = Collections.unmodifiableMap(new LinkedHashMap<>(checkEntries(env, "env")));
    Objects.requireNonNull(workingDir, "workingDir");
    Objects.requireNonNull(cudaKernel, "cudaKernel");
    Objects.requireNonNull(diagnostic, "diagnostic");
    Objects.requireNonNull(gpuModel, "gpuModel");
    Objects.requireNonNull(node, "node");
    deviceIndices = List.copyOf(deviceIndices);
    Objects.requireNonNull(maxRuntime, "maxRuntime");
    Objects.requireNonNull(killGracePeriod, "killGracePeriod");
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(checkEntries(labels, "labels")));
    Objects.requireNonNull(requestId, "requestId");
    List<String> problems = new ArrayList<>();
    workloadProblems(command, cudaKernel, diagnostic, gpus, problems);
    placementProblems(gpus, node, deviceIndices, problems);
    otherProblems(maxRuntime, killGracePeriod, requestId, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid task spec: " + String.join("; ", problems));
    }
  }

  /** Returns a new builder: no workload, 1 GPU, everything else empty. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this spec's values, to derive a changed copy. */
  public Builder toBuilder() {
    Builder builder = new Builder().name(name).command(command).gpus(gpus).env(env).labels(labels);
    workingDir.ifPresent(builder::workingDir);
    cudaKernel.ifPresent(builder::cudaKernel);
    diagnostic.ifPresent(builder::diagnostic);
    gpuModel.ifPresent(builder::gpuModel);
    node.ifPresent(builder::node);
    builder.deviceIndices(deviceIndices);
    maxRuntime.ifPresent(builder::maxRuntime);
    killGracePeriod.ifPresent(builder::killGracePeriod);
    requestId.ifPresent(builder::requestId);
    return builder;
  }

  /** Returns a description for logs; shows the env's names but not its values. */
  @Override
  public String toString() {
    return "TaskSpec[name="
        + name
        + ", command="
        + command
        + ", envNames="
        + env.keySet()
        + ", workingDir="
        + workingDir.orElse("")
        + ", cudaKernel="
        + cudaKernel.map(CudaKernel::toString).orElse("")
        + ", diagnostic="
        + diagnostic.map(Diagnostic::toString).orElse("")
        + ", gpus="
        + gpus
        + ", gpuModel="
        + gpuModel.orElse("")
        + ", node="
        + node.orElse("")
        + ", deviceIndices="
        + deviceIndices
        + ", maxRuntime="
        + maxRuntime.map(Duration::toString).orElse("")
        + ", killGracePeriod="
        + killGracePeriod.map(Duration::toString).orElse("")
        + ", labels="
        + labels
        + ", requestId="
        + requestId.orElse("")
        + "]";
  }

  private static Map<String, String> checkEntries(Map<String, String> map, String what) {
    map.forEach(
        (key, value) -> {
          Objects.requireNonNull(key, () -> what + " name");
          Objects.requireNonNull(value, () -> what + " value of " + key);
        });
    return map;
  }

  private static void workloadProblems(
      List<String> command,
      Optional<CudaKernel> cudaKernel,
      Optional<Diagnostic> diagnostic,
      int gpus,
      List<String> problems) {
    int workloads =
        (command.isEmpty() ? 0 : 1)
            + (cudaKernel.isPresent() ? 1 : 0)
            + (diagnostic.isPresent() ? 1 : 0);
    if (workloads > 1) {
      problems.add("give only one workload: a command, a cudaKernel or a diagnostic");
    } else if (workloads == 0) {
      problems.add("command must not be empty");
    } else if (!command.isEmpty() && command.get(0).isBlank()) {
      problems.add("command[0] (the program) must not be blank");
    }
    if (gpus < 1) {
      problems.add("gpus must be at least 1, got " + gpus);
    } else if (cudaKernel.isPresent() && gpus != 1) {
      problems.add("a cudaKernel runs on exactly 1 GPU, got gpus " + gpus);
    }
  }

  private static void placementProblems(
      int gpus, Optional<String> node, List<Integer> deviceIndices, List<String> problems) {
    node.filter(String::isBlank).ifPresent(n -> problems.add("node must not be blank"));
    if (deviceIndices.isEmpty()) {
      return;
    }
    if (node.isEmpty()) {
      problems.add("deviceIndices need a node");
    }
    if (deviceIndices.stream().anyMatch(index -> index < 0)) {
      problems.add("deviceIndices must not be negative, got " + deviceIndices);
    } else if (deviceIndices.stream().distinct().count() < deviceIndices.size()) {
      problems.add("deviceIndices must not repeat, got " + deviceIndices);
    }
    if (gpus >= 1 && deviceIndices.size() != gpus) {
      problems.add(
          "deviceIndices must name as many GPUs as gpus ("
              + gpus
              + "), got "
              + deviceIndices.size());
    }
  }

  private static void otherProblems(
      Optional<Duration> maxRuntime,
      Optional<Duration> killGracePeriod,
      Optional<String> requestId,
      List<String> problems) {
    maxRuntime
        .filter(d -> d.isZero() || d.isNegative())
        .ifPresent(d -> problems.add("maxRuntime must be positive, got " + d));
    killGracePeriod
        .filter(Duration::isNegative)
        .ifPresent(d -> problems.add("killGracePeriod must not be negative, got " + d));
    requestId
        .filter(id -> id.isEmpty() || id.length() > MAX_REQUEST_ID_LENGTH)
        .ifPresent(
            id ->
                problems.add(
                    "requestId must have 1 to "
                        + MAX_REQUEST_ID_LENGTH
                        + " characters, got "
                        + id.length()));
  }

  /**
   * Collects the values of a {@link TaskSpec}. Not thread-safe; {@link #build()} validates and may
   * be called more than once. Setters reject null at once with {@link NullPointerException}.
   */
  public static final class Builder {
    private String name = "";
    private List<String> command = List.of();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String workingDir;
    private CudaKernel cudaKernel;
    private Diagnostic diagnostic;
    private Integer gpus;
    private String gpuModel;
    private String node;
    private final List<Integer> deviceIndices = new ArrayList<>();
    private Duration maxRuntime;
    private Duration killGracePeriod;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String requestId;

    private Builder() {}

    /** Sets the human-readable name; not unique. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Sets the program and its arguments, replacing any set before. */
    public Builder command(String... argv) {
      return command(Arrays.asList(argv));
    }

    /** Sets the program and its arguments, replacing any set before. */
    public Builder command(List<String> argv) {
      this.command = List.copyOf(argv);
      return this;
    }

    /** Adds (or replaces) one environment variable of the process. */
    public Builder env(String name, String value) {
      env.put(Objects.requireNonNull(name, "env name"), Objects.requireNonNull(value, name));
      return this;
    }

    /** Adds (or replaces) environment variables of the process. */
    public Builder env(Map<String, String> variables) {
      variables.forEach(this::env);
      return this;
    }

    /** Sets the working directory on the node; by default a fresh one per task. */
    public Builder workingDir(String workingDir) {
      this.workingDir = Objects.requireNonNull(workingDir, "workingDir");
      return this;
    }

    /**
     * Sets the CUDA kernel to launch as the workload (instead of a command). The task needs exactly
     * one GPU.
     */
    public Builder cudaKernel(CudaKernel cudaKernel) {
      this.cudaKernel = Objects.requireNonNull(cudaKernel, "cudaKernel");
      return this;
    }

    /** Sets the built-in diagnostics as the workload (instead of a command). */
    public Builder diagnostic(Diagnostic diagnostic) {
      this.diagnostic = Objects.requireNonNull(diagnostic, "diagnostic");
      return this;
    }

    /** Places the task only on this node (id or name). */
    public Builder node(String node) {
      this.node = Objects.requireNonNull(node, "node");
      return this;
    }

    /**
     * Uses exactly these GPUs of {@link #node}, replacing any set before. Unless {@link #gpus} is
     * set, the task asks for as many GPUs as indices are given.
     */
    public Builder deviceIndices(int... indices) {
      return deviceIndices(Arrays.stream(indices).boxed().toList());
    }

    /** Like {@link #deviceIndices(int...)}. */
    public Builder deviceIndices(List<Integer> indices) {
      List<Integer> copy = List.copyOf(indices);
      deviceIndices.clear();
      deviceIndices.addAll(copy);
      return this;
    }

    /**
     * Sets the number of whole GPUs, all on one node; by default 1, or the number of {@link
     * #deviceIndices} when given.
     */
    public Builder gpus(int gpus) {
      this.gpus = gpus;
      return this;
    }

    /** Requires GPUs whose model name contains this text (case-insensitive), e.g. "H100". */
    public Builder gpuModel(String gpuModel) {
      this.gpuModel = Objects.requireNonNull(gpuModel, "gpuModel");
      return this;
    }

    /** Limits the wall-clock run time; the task is killed and FAILED when it runs longer. */
    public Builder maxRuntime(Duration maxRuntime) {
      this.maxRuntime = Objects.requireNonNull(maxRuntime, "maxRuntime");
      return this;
    }

    /** Sets the time between SIGTERM and SIGKILL when the task is cancelled. */
    public Builder killGracePeriod(Duration killGracePeriod) {
      this.killGracePeriod = Objects.requireNonNull(killGracePeriod, "killGracePeriod");
      return this;
    }

    /** Adds (or replaces) one label. */
    public Builder label(String key, String value) {
      labels.put(Objects.requireNonNull(key, "label key"), Objects.requireNonNull(value, key));
      return this;
    }

    /** Adds (or replaces) labels. */
    public Builder labels(Map<String, String> labels) {
      labels.forEach(this::label);
      return this;
    }

    /**
     * Sets the idempotency key (1 to 128 characters): resubmitting a spec with the same request id,
     * even from another process, returns the task the first submit created.
     */
    public Builder requestId(String requestId) {
      this.requestId = Objects.requireNonNull(requestId, "requestId");
      return this;
    }

    /**
     * Returns the spec.
     *
     * @throws IllegalArgumentException naming every invalid value, e.g. {@code invalid task spec:
     *     command must not be empty; gpus must be at least 1, got 0}
     */
    public TaskSpec build() {
      return new TaskSpec(
          name,
          command,
          env,
          Optional.ofNullable(workingDir),
          Optional.ofNullable(cudaKernel),
          Optional.ofNullable(diagnostic),
          gpus != null ? gpus : Math.max(1, deviceIndices.size()),
          Optional.ofNullable(gpuModel),
          Optional.ofNullable(node),
          deviceIndices,
          Optional.ofNullable(maxRuntime),
          Optional.ofNullable(killGracePeriod),
          labels,
          Optional.ofNullable(requestId));
    }
  }
}
