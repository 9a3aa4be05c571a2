package io.gpupool.cli.client;

import io.gpupool.proto.v1.CommandWorkload;
import io.gpupool.proto.v1.CudaKernelWorkload;
import io.gpupool.proto.v1.DiagnosticWorkload;
import io.gpupool.proto.v1.Resources;
import io.gpupool.proto.v1.SchedulingHints;
import io.gpupool.proto.v1.SubmitTaskRequest;
import io.gpupool.proto.v1.SubmitTaskResponse;
import io.gpupool.proto.v1.TaskSpec;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool submit}: submits a workload (a command, a CUDA kernel from {@code --cuda-ptx}, or
 * the built-in diagnostics with {@code --diagnostic}), prints the task id as the first line, and
 * with {@code --watch} follows the task to its end and exits with the task's exit code.
 */
@Command(
    name = "submit",
    modelTransformer = SubmitCommand.OptionsEndAtArgv.class,
    description = {
      "Submits a command, a CUDA kernel or the GPU diagnostics and prints its task id.",
      "Everything from the first argument that is not an option of submit (or after '--') is the"
          + " command and its arguments, run without a shell.",
      "With --watch, follows the task and exits with its exit code."
    },
    footer = {
      "",
      "Examples:",
      "  gpupool submit --gpus 2 --name train -- python train.py --epochs 3",
      "  ID=$(gpupool submit -- nvidia-smi -L)",
      "  gpupool submit --cuda-ptx saxpy.ptx --kernel saxpy --grid 4 --block 256 \\",
      "      --arg i32:1024 --arg f32:2.0 --arg buf:4096:fill=0 --arg buf:4096:out",
      "  gpupool submit --diagnostic --checks bandwidth --node gpu-7 --devices 0,1"
    })
public final class SubmitCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Mixin private ControllerOptions controller;

  @Mixin private KernelOptions kernel;

  @Mixin private DiagnosticOptions diagnostic;

  @Option(
      names = "--gpus",
      paramLabel = "N",
      description = "Whole GPUs on one node. Default: 1, or as many as --devices names.")
  private Integer gpus;

  @Option(
      names = "--node",
      paramLabel = "NODE",
      description = "Run only on this node (id or name).")
  private String node;

  @Option(
      names = "--devices",
      split = ",",
      paramLabel = "INDEX",
      description =
          "Use exactly these GPUs of --node, e.g. 0,1; only a diagnostic may use a quarantined GPU.")
  private List<Integer> devices = new ArrayList<>();

  @Option(
      names = "--gpu-model",
      paramLabel = "MODEL",
      description = "Only GPUs whose model contains this text, case-insensitive (e.g. H100).")
  private String gpuModel;

  @Option(names = "--name", paramLabel = "NAME", description = "A name for the task.")
  private String name;

  @Option(
      names = "--env",
      paramLabel = "KEY=VALUE",
      description = "Environment variable for the command; repeatable.")
  private Map<String, String> env = new LinkedHashMap<>();

  @Option(
      names = "--workdir",
      paramLabel = "DIR",
      description = "Working directory on the node. Default: a fresh directory per task.")
  private String workdir;

  @Option(
      names = "--max-runtime",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Kill the task and fail it after this long (e.g. 90s, 1h30m, PT5M).")
  private Duration maxRuntime;

  @Option(
      names = "--kill-grace",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Time between SIGTERM and SIGKILL on cancel. Controller default: 10s.")
  private Duration killGrace;

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description = "Label for your own bookkeeping; repeatable.")
  private Map<String, String> labels = new LinkedHashMap<>();

  @Option(
      names = "--request-id",
      paramLabel = "ID",
      description = "Makes the submit idempotent: a retry with the same id returns the same task.")
  private String requestId;

  @Option(
      names = "--tenant",
      paramLabel = "NAME",
      description = "Team or user the task runs for (fair share and quotas). Default: default.")
  private String tenant;

  @Option(
      names = "--priority",
      paramLabel = "N",
      description = "Priority class, 0 to 1000; higher runs first and may preempt. Default: 0.")
  private int priority;

  @Option(
      names = "--preemptible",
      description = "Allow the task to be preempted (with notice) by higher-priority work.")
  private boolean preemptible;

  @Option(
      names = "--gang",
      paramLabel = "N",
      description =
          "Run N copies as a gang, all started together (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT set).")
  private int gangSize;

  @Option(
      names = "--estimate",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Expected run time; helps backfill and shortest-job-first.")
  private Duration estimate;

  @Option(
      names = "--compute-intensity",
      paramLabel = "0..1",
      description = "C in the weighted priority P = w1*C + w2*T + w3*M.")
  private double computeIntensity;

  @Option(
      names = "--time-sensitivity",
      paramLabel = "0..1",
      description = "T in the weighted priority.")
  private double timeSensitivity;

  @Option(names = "--memory-need", paramLabel = "0..1", description = "M in the weighted priority.")
  private double memoryNeed;

  @Option(
      names = "--min-gpu-memory-gb",
      paramLabel = "GB",
      description = "Each GPU must have at least this much memory.")
  private long minGpuMemoryGb;

  @Option(
      names = "--gpu-memory-gb",
      paramLabel = "GB",
      description =
          "Ask for a share of one GPU by memory (fractional GPU) instead of whole GPUs; use with --gpus 0 or 1.")
  private long gpuMemoryGb;

  @Option(
      names = "--node-selector",
      paramLabel = "KEY=VALUE",
      description = "Only nodes with this label; repeatable.")
  private Map<String, String> nodeSelector = new LinkedHashMap<>();

  @Option(
      names = "--watch",
      description =
          "Follow the task until it ends: a live progress line on a terminal, states, progress"
              + " and output as lines otherwise.")
  private boolean watch;

  @Parameters(
      paramLabel = "ARGV",
      arity = "0..*",
      description = "The command to run and its arguments (not with --cuda-ptx or --diagnostic).")
  private List<String> argv = new ArrayList<>();

  @Override
  public Integer call() {
    SubmitTaskRequest request = request();
    try (ControllerConnection connection = controller.connect()) {
      SubmitTaskResponse response = connection.call().submitTask(request);
      String taskId = response.getTask().getId();
      PrintWriter out = controller.out();
      if (!controller.json()) {
        out.println(taskId);
      } else if (watch) {
        // One JSON document per line from here on, so the whole output is JSON Lines.
        out.println(Json.compact(response));
      } else {
        out.println(Json.pretty(response));
      }
      out.flush();
      if (!watch) {
        return 0;
      }
      return TaskFollower.follow(controller, connection, taskId);
    }
  }

  private SubmitTaskRequest request() {
    int gpuCount = gpus != null ? gpus : Math.max(1, devices.size());
    if (gpuMemoryGb > 0 ? gpuCount > 1 || gpuCount < 0 : gpuCount < 1) {
      throw usage(
          gpuMemoryGb > 0
              ? "--gpus must be 0 or 1 with --gpu-memory-gb (a share of one GPU), but it is "
                  + gpuCount
              : "--gpus must be at least 1, but it is " + gpuCount);
    }
    checkDevices(gpuCount);
    Resources.Builder resources =
        Resources.newBuilder()
            .setGpus(gpuCount)
            .setMinGpuMemoryBytes(minGpuMemoryGb << 30)
            .setGpuMemoryBytes(gpuMemoryGb << 30)
            .putAllNodeSelector(nodeSelector)
            .addAllDeviceIndices(devices);
    if (gpuModel != null) {
      resources.setGpuModel(gpuModel);
    }
    if (node != null) {
      resources.setNode(node);
    }
    TaskSpec.Builder taskSpec = TaskSpec.newBuilder().setResources(resources).putAllLabels(labels);
    setWorkload(taskSpec, gpuCount);
    if (name != null) {
      taskSpec.setName(name);
    }
    if (tenant != null) {
      taskSpec.setTenant(tenant);
    }
    taskSpec.setPriority(priority).setPreemptible(preemptible).setGangSize(gangSize);
    SchedulingHints hints =
        SchedulingHints.newBuilder()
            .setComputeIntensity(computeIntensity)
            .setTimeSensitivity(timeSensitivity)
            .setMemoryNeed(memoryNeed)
            .build();
    if (!hints.equals(SchedulingHints.getDefaultInstance())) {
      taskSpec.setHints(hints);
    }
    if (estimate != null) {
      taskSpec.setRuntimeEstimate(ProtoTime.duration(estimate));
    }
    if (maxRuntime != null) {
      taskSpec.setMaxRuntime(ProtoTime.duration(maxRuntime));
    }
    if (killGrace != null) {
      taskSpec.setKillGracePeriod(ProtoTime.duration(killGrace));
    }
    SubmitTaskRequest.Builder request = SubmitTaskRequest.newBuilder().setSpec(taskSpec);
    if (requestId != null) {
      request.setRequestId(requestId);
    }
    return request.build();
  }

  private void setWorkload(TaskSpec.Builder taskSpec, int gpuCount) {
    int workloads =
        (argv.isEmpty() ? 0 : 1) + (kernel.requested() ? 1 : 0) + (diagnostic.requested() ? 1 : 0);
    if (workloads == 0) {
      throw usage(
          "Missing the workload: give the command to run (ARGV), --cuda-ptx FILE or --diagnostic");
    }
    if (workloads > 1) {
      throw usage("Give only one workload: a command (ARGV), --cuda-ptx FILE or --diagnostic");
    }
    Optional<CudaKernelWorkload> cudaKernel = kernel.workload();
    Optional<DiagnosticWorkload> diagnosticWorkload = diagnostic.workload();
    if (argv.isEmpty() && (!env.isEmpty() || workdir != null)) {
      throw usage("--env and --workdir only go with a command (ARGV)");
    }
    if (cudaKernel.isPresent()) {
      if (gpuCount != 1) {
        throw usage("--cuda-ptx runs on exactly one GPU, but --gpus is " + gpuCount);
      }
      taskSpec.setCudaKernel(cudaKernel.get());
    } else if (diagnosticWorkload.isPresent()) {
      taskSpec.setDiagnostic(diagnosticWorkload.get());
    } else {
      CommandWorkload.Builder command =
          CommandWorkload.newBuilder().addAllArgv(argv).putAllEnv(env);
      if (workdir != null) {
        command.setWorkingDir(workdir);
      }
      taskSpec.setCommand(command);
    }
  }

  private void checkDevices(int gpuCount) {
    if (devices.isEmpty()) {
      return;
    }
    if (node == null) {
      throw usage("--devices needs --node NODE, the node the GPUs are on");
    }
    if (devices.stream().anyMatch(index -> index < 0)) {
      throw usage("--devices must be GPU indices 0 or more, but it is " + devices);
    }
    if (devices.stream().distinct().count() < devices.size()) {
      throw usage("--devices names a GPU twice: " + devices);
    }
    if (devices.size() != gpuCount) {
      throw usage(
          "--devices names "
              + devices.size()
              + " GPUs, but --gpus is "
              + gpuCount
              + "; give as many");
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /**
   * Ends option parsing at the first argument of the workload, so {@code gpupool submit python
   * train.py --lr 3} passes {@code --lr 3} to the workload instead of rejecting it.
   */
  static final class OptionsEndAtArgv implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec commandSpec) {
      commandSpec.parser().stopAtPositional(true);
      return commandSpec;
    }
  }
}
