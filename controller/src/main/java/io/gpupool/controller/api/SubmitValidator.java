package io.gpupool.controller.api;

import com.google.protobuf.Duration;
import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.DiagnosticCheck;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.TaskSpec;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks a submit before it reaches the loop; reports every problem at once. */
final class SubmitValidator {
  static final int MAX_GPUS = 64;
  static final int MAX_NAME = 253;
  static final int MAX_REQUEST_ID = 128;
  static final int MAX_ARGS = 4096;
  static final int MAX_ENV = 1024;
  static final int MAX_GANG = 64;
  static final int MAX_PRIORITY = 1000;

  private SubmitValidator() {}

  /** Throws INVALID_ARGUMENT naming every offending field. */
  static void validate(SubmitTaskRequest request) {
    Violations v = Violations.of(request);
    v.check(
        request.getRequestId().length() <= MAX_REQUEST_ID,
        "request_id",
        "at most " + MAX_REQUEST_ID + " characters");
    if (!request.hasSpec()) {
      v.add("spec", "required");
    } else {
      spec(request.getSpec(), v);
    }
    v.throwIfAny();
  }

  private static void spec(TaskSpec spec, Violations v) {
    v.check(
        spec.getName().length() <= MAX_NAME, "spec.name", "at most " + MAX_NAME + " characters");
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
      v.check(share >= 0, "spec.resources.gpu_memory_bytes", "must not be negative");
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
    v.check(
        spec.getTenant().length() <= MAX_NAME,
        "spec.tenant",
        "at most " + MAX_NAME + " characters");
    hint(spec.getHints().getComputeIntensity(), "spec.hints.compute_intensity", v);
    hint(spec.getHints().getTimeSensitivity(), "spec.hints.time_sensitivity", v);
    hint(spec.getHints().getMemoryNeed(), "spec.hints.memory_need", v);
    placement(spec, v);
    v.check(
        spec.getResources().getMinGpuMemoryBytes() >= 0,
        "spec.resources.min_gpu_memory_bytes",
        "must not be negative");
    duration(spec.hasRuntimeEstimate(), spec.getRuntimeEstimate(), "spec.runtime_estimate", v);
    duration(spec.hasMaxRuntime(), spec.getMaxRuntime(), "spec.max_runtime", v);
    duration(spec.hasKillGracePeriod(), spec.getKillGracePeriod(), "spec.kill_grace_period", v);
    keys(spec.getLabelsMap(), "spec.labels", v);
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
    v.check(
        resources.getNode().length() <= MAX_NAME,
        "spec.resources.node",
        "at most " + MAX_NAME + " characters");
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
      v.check(seen.add(index), field + "[" + i + "]", "GPU " + index + " is named twice");
    }
    v.check(
        spec.getGangSize() <= 1,
        field,
        "a gang cannot pin GPUs: its members would all ask for the same ones");
  }

  private static void command(CommandWorkload command, Violations v) {
    List<String> argv = command.getArgvList();
    if (argv.isEmpty()) {
      v.add("spec.command.argv", "must not be empty");
    } else {
      v.check(!argv.get(0).isEmpty(), "spec.command.argv[0]", "must not be empty");
      v.check(argv.size() <= MAX_ARGS, "spec.command.argv", "at most " + MAX_ARGS + " arguments");
    }
    for (int i = 0; i < argv.size(); i++) {
      v.check(
          argv.get(i).indexOf('\0') < 0, "spec.command.argv[" + i + "]", "must not contain NUL");
    }
    v.check(
        command.getEnvCount() <= MAX_ENV, "spec.command.env", "at most " + MAX_ENV + " variables");
    keys(command.getEnvMap(), "spec.command.env", v);
    for (String key : command.getEnvMap().keySet()) {
      v.check(key.indexOf('=') < 0, "spec.command.env", "key '" + key + "' must not contain '='");
    }
  }

  private static void keys(Map<String, String> map, String field, Violations v) {
    for (String key : map.keySet()) {
      v.check(!key.isEmpty(), field, "keys must not be empty");
      v.check(
          key.indexOf('\0') < 0 && map.get(key).indexOf('\0') < 0,
          field,
          "keys and values must not contain NUL");
    }
  }

  private static void hint(double value, String field, Violations v) {
    v.check(value >= 0 && value <= 1, field, "must be between 0 and 1, got " + value);
  }

  private static void duration(boolean set, Duration d, String field, Violations v) {
    if (set) {
      v.check(d.getSeconds() >= 0 && d.getNanos() >= 0, field, "must not be negative");
    }
  }
}
