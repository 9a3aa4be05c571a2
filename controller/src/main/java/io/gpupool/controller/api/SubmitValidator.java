package io.gpupool.controller.api;

import com.google.protobuf.Duration;
import com.google.protobuf.util.Durations;
import io.gpupool.controller.limits.Limits;
import io.gpupool.controller.limits.Utf8;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.DiagnosticCheck;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.TaskSpec;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a submit before it reaches the loop; reports every problem at once, each naming its field
 * and the limit (the numbers live in {@link Limits}, those of a kernel in {@link KernelLimits}).
 */
final class SubmitValidator {
  static final int MAX_GPUS = Limits.MAX_GPUS;
  static final int MAX_GANG = Limits.MAX_GANG;
  static final int MAX_PRIORITY = Limits.MAX_PRIORITY;

  private SubmitValidator() {}

  /** Throws INVALID_ARGUMENT naming every offending field. */
  static void validate(SubmitTaskRequest request) {
    Violations v = Violations.of(request);
    v.text(request.getRequestId(), "request_id", Limits.MAX_REQUEST_ID_CHARS);
    if (!request.hasSpec()) {
      v.add("spec", "required");
    } else {
      spec(request.getSpec(), v);
    }
    v.throwIfAny();
  }

  private static void spec(TaskSpec spec, Violations v) {
    v.text(spec.getName(), "spec.name", Limits.MAX_NAME_CHARS);
    // The oneof makes "at most one" hold by construction; "at least one" is checked here.
    switch (spec.getWorkloadCase()) {
      case COMMAND -> command(spec.getCommand(), v);
      case CUDA_KERNEL -> {
        KernelValidator.validate(spec.getCudaKernel(), "spec.cuda_kernel", v);
        v.check(
            spec.getResources().getGpus() == 1,
            "spec.resources.gpus",
            "a cuda_kernel runs on exactly one GPU: must be 1, got "
                + spec.getResources().getGpus());
        v.check(
            spec.getGangSize() <= 1,
            "spec.gang_size",
            "a cuda_kernel cannot be a gang; submit one task per kernel");
      }
      case DIAGNOSTIC -> diagnostic(spec, v);
      case WORKLOAD_NOT_SET ->
          v.add(
              "spec.command",
              "a workload is required (set spec.command, spec.cuda_kernel or spec.diagnostic)");
    }
    if (!spec.hasResources()) {
      v.add("spec.resources.gpus", "required (1 to " + MAX_GPUS + ")");
    } else {
      int gpus = spec.getResources().getGpus();
      long share = spec.getResources().getGpuMemoryBytes();
      memory(share, "spec.resources.gpu_memory_bytes", v);
      if (share > 0) {
        v.check(
            gpus <= 1,
            "spec.resources.gpus",
            "must be 0 or 1 with gpu_memory_bytes (a share of one GPU), got " + gpus);
      } else {
        v.check(gpus >= 1, "spec.resources.gpus", "must be at least 1, got " + gpus);
      }
      v.check(
          gpus <= MAX_GPUS,
          "spec.resources.gpus",
          "must be at most " + MAX_GPUS + " (GPUs of one node), got " + gpus);
    }
    v.check(
        spec.getGangSize() >= 0 && spec.getGangSize() <= MAX_GANG,
        "spec.gang_size",
        "must be between 0 and " + MAX_GANG + ", got " + spec.getGangSize());
    v.check(
        spec.getGangSize() <= 1 || spec.getResources().getGpuMemoryBytes() == 0,
        "spec.gang_size",
        "a gang needs whole GPUs; remove gpu_memory_bytes or the gang");
    v.check(
        spec.getPriority() >= 0 && spec.getPriority() <= MAX_PRIORITY,
        "spec.priority",
        "must be between 0 and " + MAX_PRIORITY + ", got " + spec.getPriority());
    v.text(spec.getTenant(), "spec.tenant", Limits.MAX_NAME_CHARS);
    hint(spec.getHints().getComputeIntensity(), "spec.hints.compute_intensity", v);
    hint(spec.getHints().getTimeSensitivity(), "spec.hints.time_sensitivity", v);
    hint(spec.getHints().getMemoryNeed(), "spec.hints.memory_need", v);
    placement(spec, v);
    memory(spec.getResources().getMinGpuMemoryBytes(), "spec.resources.min_gpu_memory_bytes", v);
    v.text(spec.getResources().getGpuModel(), "spec.resources.gpu_model", Limits.MAX_NAME_CHARS);
    v.labels(spec.getResources().getNodeSelectorMap(), "spec.resources.node_selector");
    duration(
        spec.hasRuntimeEstimate(),
        spec.getRuntimeEstimate(),
        "spec.runtime_estimate",
        Limits.MAX_RUNTIME,
        v);
    duration(spec.hasMaxRuntime(), spec.getMaxRuntime(), "spec.max_runtime", Limits.MAX_RUNTIME, v);
    duration(
        spec.hasKillGracePeriod(),
        spec.getKillGracePeriod(),
        "spec.kill_grace_period",
        Limits.MAX_KILL_GRACE_PERIOD,
        v);
    v.labels(spec.getLabelsMap(), "spec.labels");
  }

  private static void diagnostic(TaskSpec spec, Violations v) {
    Set<DiagnosticCheck> seen = EnumSet.noneOf(DiagnosticCheck.class);
    List<DiagnosticCheck> checks = spec.getDiagnostic().getChecksList();
    for (int i = 0; i < checks.size(); i++) {
      DiagnosticCheck check = checks.get(i);
      String field = "spec.diagnostic.checks[" + i + "]";
      if (check == DiagnosticCheck.DIAGNOSTIC_CHECK_UNSPECIFIED
          || check == DiagnosticCheck.UNRECOGNIZED) {
        v.add(field, "must be a known check such as DIAGNOSTIC_CHECK_MEMORY_BANDWIDTH");
      } else if (!seen.add(check)) {
        v.add(field, check.name() + " is listed twice");
      }
    }
    v.check(
        spec.getResources().getGpuMemoryBytes() == 0,
        "spec.resources.gpu_memory_bytes",
        "a diagnostic needs whole GPUs; remove gpu_memory_bytes");
  }

  /** Resources.node and device_indices: a named node, and exact GPUs on it. */
  private static void placement(TaskSpec spec, Violations v) {
    var resources = spec.getResources();
    v.text(resources.getNode(), "spec.resources.node", Limits.MAX_NAME_CHARS);
    List<Integer> indices = resources.getDeviceIndicesList();
    if (indices.isEmpty()) {
      return;
    }
    String field = "spec.resources.device_indices";
    v.check(
        !resources.getNode().isEmpty(),
        field,
        "needs spec.resources.node (GPU indices mean something only on one node)");
    int gpus = resources.getGpuMemoryBytes() > 0 ? 1 : resources.getGpus();
    v.check(
        indices.size() == gpus,
        field,
        "must name as many GPUs as spec.resources.gpus (" + gpus + "), names " + indices.size());
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < indices.size(); i++) {
      int index = indices.get(i);
      v.check(index >= 0, field + "[" + i + "]", "must not be negative, got " + index);
      v.check(
          index < Limits.MAX_GPUS,
          field + "[" + i + "]",
          "must be below " + Limits.MAX_GPUS + " (GPUs of one node), got " + index);
      v.check(seen.add(index), field + "[" + i + "]", "GPU " + index + " is named twice");
    }
    v.check(
        spec.getGangSize() <= 1,
        field,
        "a gang cannot pin GPUs: its members would all ask for the same ones");
  }

  /** What reaches execve on the node: bounded like Linux bounds it, and free of NUL. */
  private static void command(CommandWorkload command, Violations v) {
    List<String> argv = command.getArgvList();
    if (argv.isEmpty()) {
      v.add("spec.command.argv", "must not be empty");
    } else {
      v.check(!argv.get(0).isEmpty(), "spec.command.argv[0]", "must not be empty");
      v.check(
          argv.size() <= Limits.MAX_ARGS,
          "spec.command.argv",
          "at most " + Limits.MAX_ARGS + " arguments, has " + argv.size());
    }
    long argvBytes = 0;
    int problemsBefore = v.problems().size();
    for (int i = 0; i < argv.size() && v.problems().size() - problemsBefore < 10; i++) {
      String field = "spec.command.argv[" + i + "]";
      long bytes = Utf8.length(argv.get(i));
      argvBytes += bytes + 1;
      v.check(
          bytes <= Limits.MAX_ARG_BYTES,
          field,
          "at most " + Limits.MAX_ARG_BYTES + " bytes, has " + bytes);
      v.noNul(argv.get(i), field);
    }
    v.check(
        argvBytes <= Limits.MAX_ARGV_BYTES,
        "spec.command.argv",
        "at most " + Limits.MAX_ARGV_BYTES + " bytes together, has " + argvBytes);
    Map<String, String> env = command.getEnvMap();
    v.check(
        env.size() <= Limits.MAX_ENV,
        "spec.command.env",
        "at most " + Limits.MAX_ENV + " variables, has " + env.size());
    long envBytes = 0;
    problemsBefore = v.problems().size();
    for (Map.Entry<String, String> variable : env.entrySet()) {
      if (v.problems().size() - problemsBefore >= 10) {
        break;
      }
      String key = variable.getKey();
      String field = "spec.command.env[" + Violations.quote(key) + "]";
      envBytes += Utf8.length(key) + 1 + Utf8.length(variable.getValue()) + 1;
      v.check(!key.isEmpty(), "spec.command.env", "keys must not be empty");
      v.check(key.indexOf('=') < 0, field, "the name must not contain '='");
      v.noNul(key, field);
      v.noNul(variable.getValue(), field);
    }
    v.check(
        envBytes <= Limits.MAX_ENV_BYTES,
        "spec.command.env",
        "at most " + Limits.MAX_ENV_BYTES + " bytes together (KEY=VALUE each), has " + envBytes);
    long dirBytes = Utf8.length(command.getWorkingDir());
    v.check(
        dirBytes <= Limits.MAX_WORKING_DIR_BYTES,
        "spec.command.working_dir",
        "at most " + Limits.MAX_WORKING_DIR_BYTES + " bytes, has " + dirBytes);
    v.noNul(command.getWorkingDir(), "spec.command.working_dir");
  }

  private static void memory(long bytes, String field, Violations v) {
    v.check(
        bytes >= 0 && bytes <= Limits.MAX_GPU_MEMORY_BYTES,
        field,
        "must be 0 to " + Limits.MAX_GPU_MEMORY_BYTES + " (16 TiB), got " + bytes);
  }

  private static void hint(double value, String field, Violations v) {
    v.check(value >= 0 && value <= 1, field, "must be between 0 and 1, got " + value);
  }

  private static void duration(
      boolean set, Duration d, String field, java.time.Duration max, Violations v) {
    if (!set) {
      return;
    }
    if (!Durations.isValid(d) || d.getSeconds() < 0 || d.getNanos() < 0) {
      v.add(field, "must be a valid duration that is not negative");
    } else {
      v.check(
          java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos()).compareTo(max) <= 0,
          field,
          "at most " + max.toSeconds() + " s, got " + d.getSeconds() + " s");
    }
  }
}
