package io.gpupool.cli.client;

import io.gpupool.cli.text.TablePrinter;
import io.gpupool.cli.text.TimeText;
import io.gpupool.proto.v1.AuditEvent;
import io.gpupool.proto.v1.ListAuditEventsRequest;
import io.gpupool.proto.v1.ListAuditEventsResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpupool audit}: the controller's audit log (admin only), oldest first; {@code --after}
 * pages on from the last sequence shown.
 */
@Command(
    name = "audit",
    description = {
      "Shows the audit log (admin only): submits, cancels, cordons, quarantine clears, token"
          + " changes and refused calls, with who made them and when.",
      "Page on with --after SEQ, the last sequence shown."
    })
public final class AuditCommand implements Callable<Integer> {
  private static final int MAX_LIMIT = 1000;

  @Spec private CommandSpec spec;

  @Mixin private ControllerOptions controller;

  @Option(
      names = "--after",
      paramLabel = "SEQ",
      defaultValue = "0",
      description = "Only records after this sequence. Default: from the first.")
  private long after;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "100",
      description = "Show at most N records (1 to 1000). Default: ${DEFAULT-VALUE}.")
  private int limit;

  @Override
  public Integer call() {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new ParameterException(
          spec.commandLine(),
          "--limit must be between 1 and " + MAX_LIMIT + ", but it is " + limit);
    }
    if (after < 0) {
      throw new ParameterException(
          spec.commandLine(), "--after must not be negative, but it is " + after);
    }
    ListAuditEventsResponse events;
    try (ControllerConnection connection = controller.connect()) {
      events =
          connection
              .admin()
              .listAuditEvents(
                  ListAuditEventsRequest.newBuilder()
                      .setAfterSequence(after)
                      .setLimit(limit)
                      .build());
    }
    if (controller.json()) {
      controller.out().println(Json.pretty(events));
    } else {
      TimeText time = new TimeText(controller.context().clock().getZone());
      TablePrinter table =
          TablePrinter.withHeader(
              "SEQ", "TIME", "TOKEN", "ROLE", "TENANT", "METHOD", "TARGET", "OUTCOME", "PEER");
      for (AuditEvent event : events.getEventsList()) {
        table.row(
            event.getSequence(),
            ProtoTime.instant(event.hasTime(), event.getTime()).map(time::dateTime).orElse("-"),
            TaskText.orDash(event.getTokenId()),
            RoleConverter.label(event.getRole()),
            TaskText.orDash(event.getTenant()),
            event.getMethod().replaceFirst("^gpupool\\.v1\\.", ""),
            printable(TaskText.orDash(event.getTarget())),
            event.getOutcome(),
            TaskText.orDash(event.getPeer()));
      }
      table.print(controller.out());
    }
    controller.out().flush();
    return 0;
  }

  /**
   * A target is what a caller typed (a node name): control characters must not reach a terminal.
   */
  private static String printable(String text) {
    return text.codePoints()
        .map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }
}
