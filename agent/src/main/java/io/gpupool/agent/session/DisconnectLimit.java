package io.gpupool.agent.session;

import io.gpupool.proto.v1.CancelTaskCommand;
import io.gpupool.proto.v1.TaskEnded;
import io.gpupool.proto.v1.TaskUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the node's work once the controller has been unreachable for too long ({@code
 * --stop-work-after-disconnect}), as Nomad's {@code disconnect.stop_on_client_after} does: set
 * below the controller's node-lost deadline, a cut-off node's tasks are stopped before the
 * controller reruns them elsewhere, so that none runs twice at once.
 *
 * <p>The outage is measured with the clock from the moment the accepted session was lost; a new
 * accepted session ends it. Once it lasts the limit, every running task is cancelled through {@link
 * TaskCommands} (SIGTERM, then SIGKILL after its grace period), once per outage. Their ended
 * updates are rewritten by {@link #rewrite} to say why: not cancelled (no one asked), with reason
 * code {@value #REASON_CODE}.
 *
 * <p>{@link #lost}, {@link #accepted} and {@link #check} are called from the session's thread;
 * {@link #rewrite} from any thread.
 */
final class DisconnectLimit {

  /** TaskResult.reason_code of the tasks this stops. */
  static final String REASON_CODE = "CONTROLLER_UNREACHABLE";

  private static final Logger log = LoggerFactory.getLogger(DisconnectLimit.class);

  private final Duration limit;
  private final Clock clock;
  private final TaskCommands commands;
  private final String message;

  /** Tasks stopped for an outage whose ended update has not come yet. */
  private final Set<String> stopped = ConcurrentHashMap.newKeySet();

  // Confined to the session thread.
  private Instant lostAt;
  private boolean fired;

  /**
   * @param limit how long the node may be without the controller before its work is stopped;
   *     positive
   * @param clock measures the outage
   * @param commands the tasks to stop
   */
  DisconnectLimit(Duration limit, Clock clock, TaskCommands commands) {
    if (limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException("the disconnect limit must be positive: " + limit);
    }
    this.limit = limit;
    this.clock = clock;
    this.commands = commands;
    this.message =
        "stopped after " + format(limit) + " without the controller (--stop-work-after-disconnect)";
  }

  /** How often {@link #check} should run so that the stop comes soon after the limit. */
  Duration checkInterval() {
    Duration tenth = limit.dividedBy(10);
    Duration floor = Duration.ofMillis(10);
    Duration ceiling = Duration.ofSeconds(1);
    return tenth.compareTo(floor) < 0 ? floor : tenth.compareTo(ceiling) > 0 ? ceiling : tenth;
  }

  /** The accepted session was lost; an outage already under way keeps its start. */
  void lost() {
    if (lostAt == null) {
      lostAt = clock.instant();
      fired = false;
    }
  }

  /** The controller accepted a session: the outage, if any, is over. */
  void accepted() {
    lostAt = null;
    fired = false;
  }

  /** Stops every running task when the outage has lasted the limit; does nothing otherwise. */
  void check() {
    if (lostAt == null || fired) {
      return;
    }
    Duration out = Duration.between(lostAt, clock.instant());
    if (out.compareTo(limit) < 0) {
      return;
    }
    fired = true;
    Set<String> running = commands.runningTaskIds();
    if (running.isEmpty()) {
      return;
    }
    log.warn(
        "no controller for {} (--stop-work-after-disconnect {}): stopping tasks {}",
        format(out),
        format(limit),
        running);
    for (String taskId : running) {
      stopped.add(taskId);
      commands.cancel(CancelTaskCommand.newBuilder().setTaskId(taskId).build());
    }
  }

  /**
   * The update to publish: the ended update of a task this stopped says so (not cancelled, reason
   * code {@value #REASON_CODE}, keeping the exit code); any other update is returned as it is. A
   * task that ended by itself before the stop took (not reported cancelled) keeps its own result.
   */
  TaskUpdate rewrite(TaskUpdate update) {
    if (!update.hasEnded() || !stopped.remove(update.getTaskId())) {
      return update;
    }
    TaskEnded ended = update.getEnded();
    if (!ended.getCancelled()) {
      return update;
    }
    return update.toBuilder()
        .setEnded(
            ended.toBuilder()
                .setCancelled(false)
                .setResult(
                    ended.getResult().toBuilder().setReasonCode(REASON_CODE).setMessage(message)))
        .build();
  }

  /** Writes a duration the way the flag takes it: "2m", "1m30s", "500ms". */
  static String format(Duration duration) {
    StringBuilder text = new StringBuilder();
    append(text, duration.toHours(), "h");
    append(text, duration.toMinutesPart(), "m");
    append(text, duration.toSecondsPart(), "s");
    append(text, duration.toMillisPart(), "ms");
    return text.length() == 0 ? duration.toNanos() + "ns" : text.toString();
  }

  private static void append(StringBuilder text, long amount, String unit) {
    if (amount > 0) {
      text.append(amount).append(unit);
    }
  }
}
