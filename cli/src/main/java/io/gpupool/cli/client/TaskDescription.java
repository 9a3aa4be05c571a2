package io.gpupool.cli.client;

import io.gpupool.cli.text.TablePrinter;
import io.gpupool.cli.text.TimeText;
import io.gpupool.proto.v1.StateTransition;
import io.gpupool.proto.v1.Task;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The human form of one task for {@code gpupool get}: labelled fields, then the state transitions.
 * Stateless apart from its clock; thread-safe.
 */
final class TaskDescription {
  private final Clock clock;
  private final TimeText timeText;

  TaskDescription(Clock clock) {
    this.clock = clock;
    this.timeText = new TimeText(clock.getZone());
  }

  void print(Task task, PrintWriter out) {
    print(task, Map.of(), out);
  }

  /**
   * Prints the task; {@code outputFiles} names the file each kernel output (by argument index) was
   * written to, shown instead of its bytes.
   */
  void print(Task task, Map<Integer, Path> outputFiles, PrintWriter out) {
    TablePrinter fields = TablePrinter.withoutHeader(2);
    fields.row("ID:", task.getId());
    fields.row("Name:", TaskText.orDash(task.getSpec().getName()));
    String state = TaskStates.label(task.getState());
    fields.row(
        "State:", task.getReason().isEmpty() ? state : state + " (" + task.getReason() + ")");
    if (task.getCancelRequested()) {
      fields.row("Cancel:", "requested");
    }
    if (task.getPreemptionRequested()) {
      fields.row("Preemption:", "notice given; the task is stopping");
    }
    var spec = task.getSpec();
    fields.row(
        "Tenant:",
        (spec.getTenant().isEmpty() ? "default" : spec.getTenant())
            + ", priority "
            + spec.getPriority()
            + (spec.getPreemptible() ? ", preemptible" : ""));
    if (task.hasGang()) {
      fields.row(
          "Gang:",
          task.getGang().getId()
              + " (rank "
              + task.getGang().getRank()
              + " of "
              + task.getGang().getSize()
              + ")");
    }
    if (task.getAttempt() > 1) {
      fields.row("Attempt:", String.valueOf(task.getAttempt()));
    }
    if (task.hasExpectedStartTime()) {
      fields.row("Expected start:", ahead(ProtoTime.instant(true, task.getExpectedStartTime())));
    }
    if (task.hasExpectedEndTime()) {
      fields.row("ETA:", ahead(ProtoTime.instant(true, task.getExpectedEndTime())));
    }
    String model = task.getSpec().getResources().getGpuModel();
    fields.row(
        "GPUs:",
        task.getSpec().getResources().getGpus()
            + (model.isEmpty() ? "" : " (model " + model + ")"));
    fields.row("Node:", TaskText.orDash(TaskText.placement(task.getPlacement())));
    if (task.getSpec().hasCommand()) {
      fields.row("Command:", String.join(" ", task.getSpec().getCommand().getArgvList()));
    }
    if (task.getSpec().hasCudaKernel()) {
      fields.row("CUDA kernel:", TaskText.kernel(task.getSpec().getCudaKernel()));
    }
    if (task.getSpec().hasDiagnostic()) {
      fields.row("Diagnostic:", TaskText.diagnostic(task.getSpec().getDiagnostic()));
    }
    fields.row("Created:", when(ProtoTime.instant(task.hasCreateTime(), task.getCreateTime())));
    fields.row("Started:", when(ProtoTime.instant(task.hasStartTime(), task.getStartTime())));
    fields.row("Ended:", when(ProtoTime.instant(task.hasEndTime(), task.getEndTime())));
    if (task.hasResult()) {
      fields.row("Result:", TaskText.orDash(TaskText.result(task.getResult())));
    }
    if (task.hasProgress()) {
      fields.row("Progress:", TaskText.orDash(TaskText.progress(task.getProgress())));
    }
    if (!task.getRequestId().isEmpty()) {
      fields.row("Request id:", task.getRequestId());
    }
    if (task.getSpec().getLabelsCount() > 0) {
      fields.row(
          "Labels:",
          task.getSpec().getLabelsMap().entrySet().stream()
              .sorted(java.util.Map.Entry.comparingByKey())
              .map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.joining(", ")));
    }
    fields.print(out);
    if (task.getResult().hasKernel()) {
      ResultText.printKernel(task.getResult().getKernel(), outputFiles, out);
    }
    if (task.getResult().hasDiagnostic()) {
      ResultText.printDiagnostics(task.getResult().getDiagnostic(), out);
    }
    if (task.getTransitionsCount() > 0) {
      out.println("Transitions:");
      TablePrinter transitions = TablePrinter.withoutHeader(3);
      for (StateTransition transition : task.getTransitionsList()) {
        transitions.row(
            ProtoTime.instant(transition.hasTime(), transition.getTime())
                .map(timeText::dateTime)
                .orElse("-"),
            TaskStates.label(transition.getState()),
            transition.getReason());
      }
      transitions.print(out, "  ");
    }
    out.flush();
  }

  /** A time expected in the future, as "12:30:00 (in 5m)"; "(now)" once it has passed. */
  private String ahead(Optional<Instant> instant) {
    return instant
        .map(
            i ->
                timeText.dateTime(i)
                    + (i.isAfter(clock.instant())
                        ? " (in " + TimeText.age(clock.instant(), i) + ")"
                        : " (due)"))
        .orElse("-");
  }

  private String when(Optional<Instant> instant) {
    return instant
        .map(i -> timeText.dateTime(i) + " (" + TimeText.age(i, clock.instant()) + " ago)")
        .orElse("-");
  }
}
