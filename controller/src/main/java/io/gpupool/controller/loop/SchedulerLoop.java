package io.gpupool.controller.loop;

import io.gpupool.controller.core.SchedulingPolicy;
import io.gpupool.controller.error.ControllerException;
import io.gpupool.controller.state.ClusterState;
import io.gpupool.controller.state.NodeEntry;
import io.gpupool.controller.store.LeadershipLostException;
import io.gpupool.controller.store.Store;
import io.gpupool.controller.watch.TaskEventBus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of the cluster state: applies queued events, schedules, commits, then acts.
 *
 * <p>{@link #offer} is thread-safe and never blocks. Everything else runs on one thread: {@link
 * LoopThread} in the controller, the test itself in unit tests (call {@link #runOnce()} to step).
 * If the store fails, the pass is lost as a whole: callers get UNAVAILABLE, agent sessions are
 * closed (agents reconnect and resend what was not acknowledged) and the state is reloaded. If the
 * store refuses a commit because another controller leads now ({@link LeadershipLostException}),
 * the pass is lost the same way, the loop closes for good and {@link #fenced()} completes.
 */
public final class SchedulerLoop {
  private static final Logger log = LoggerFactory.getLogger(SchedulerLoop.class);

  private final Clock clock;
  private final TaskEventBus bus;
  private final NodeDirectory directory;
  private final LinkedBlockingQueue<LoopEvent> inbox = new LinkedBlockingQueue<>();
  private final LoopContext ctx;
  private final ClientRequests clients;
  private final AgentEvents agents;
  private final PlanApplier plans;
  private final CompletableFuture<LeadershipLostException> fenced = new CompletableFuture<>();
  private boolean firstPass = true;
  private volatile boolean closed;

  /** The clock the loop decides by; services use it so that reports agree with the loop. */
  public Clock clock() {
    return clock;
  }

  public SchedulerLoop(
      Clock clock,
      Store store,
      SchedulingPolicy policy,
      TaskEventBus bus,
      NodeDirectory directory,
      LoopSettings settings) {
    this(clock, store, policy, bus, directory, settings, LoopMetrics.unread());
  }

  /** A loop that records its passes, submits, placements and heartbeats in {@code metrics}. */
  public SchedulerLoop(
      Clock clock,
      Store store,
      SchedulingPolicy policy,
      TaskEventBus bus,
      NodeDirectory directory,
      LoopSettings settings,
      LoopMetrics metrics) {
    this.clock = clock;
    this.bus = bus;
    this.directory = directory;
    this.ctx =
        new LoopContext(store, policy, settings, ClusterState.restore(store.load()), metrics);
    TaskEndings endings = new TaskEndings(ctx);
    this.plans = new PlanApplier(ctx);
    this.clients = new ClientRequests(ctx, endings);
    this.agents = new AgentEvents(ctx, endings, plans);
    ctx.state.nodes().forEach(node -> node.watchFrom(clock.instant()));
    ctx.state.nodes().forEach(node -> directory.put(node));
  }

  /** Queues an event for the next pass. After {@link #close()}, replies fail with UNAVAILABLE. */
  public void offer(LoopEvent event) {
    if (closed) {
      Replies.rejectClosed(event);
      return;
    }
    inbox.add(event);
  }

  /** Runs one pass over whatever is queued now, without waiting. */
  public void runOnce() {
    runPass(drain(null));
  }

  /** Waits up to {@code maxWait} for an event, then runs one pass over everything queued. */
  public void runOnce(Duration maxWait) throws InterruptedException {
    runPass(drain(inbox.poll(maxWait.toNanos(), TimeUnit.NANOSECONDS)));
  }

  /** {@code first} (if any) and everything queued behind it. */
  private List<LoopEvent> drain(LoopEvent first) {
    List<LoopEvent> events = new ArrayList<>();
    if (first != null) {
      events.add(first);
    }
    inbox.drainTo(events);
    return events;
  }

  /**
   * Completes, on the loop thread, with the store's refusal when a commit found that this
   * controller no longer leads; by then the loop is closed. Never completes on a store without
   * leader fencing. Completing the returned future affects no one else.
   */
  public CompletableFuture<LeadershipLostException> fenced() {
    return fenced.copy();
  }

  /** Stops accepting events and fails the queued ones with UNAVAILABLE. */
  public void close() {
    closed = true;
    List<LoopEvent> rest = new ArrayList<>();
    inbox.drainTo(rest);
    rest.forEach(Replies::rejectClosed);
  }

  private void runPass(List<LoopEvent> events) {
    if (fenced.isDone()) {
      events.forEach(Replies::rejectClosed);
      return;
    }
    Pass pass = new Pass(clock.instant());
    for (LoopEvent event : events) {
      apply(event, pass);
    }
    agents.expireSilentNodes(pass);
    agents.markDroppedOutput(pass);
    if (pass.isCapacityChanged() || firstPass) {
      ctx.metrics.decision.time(() -> plans.schedule(pass));
      firstPass = false;
    }
    try {
      ctx.metrics.commit.time(() -> ctx.store.commit(pass.changes()));
    } catch (LeadershipLostException e) {
      log.error(
          "this controller no longer leads the store; it stops scheduling: {}", e.getMessage());
      pass.failed();
      closeSessions("this controller is no longer the leader; connect to the current one");
      close();
      fenced.complete(e);
      return;
    } catch (RuntimeException e) {
      log.error("storing a scheduling pass failed; reloading state from the store", e);
      pass.failed();
      recoverFromStoreFailure();
      return;
    }
    bus.publish(pass.events());
    pass.viewedNodes().forEach(node -> directory.put(node));
    pass.committed();
    ctx.metrics.publish(ctx.state);
  }

  private void apply(LoopEvent event, Pass pass) {
    try {
      if (event instanceof LoopEvent.Submit e) {
        clients.submit(e, pass);
      } else if (event instanceof LoopEvent.Cancel e) {
        clients.cancel(e, pass);
      } else if (event instanceof LoopEvent.Cordon e) {
        clients.cordon(e, pass);
      } else if (event instanceof LoopEvent.ClearQuarantine e) {
        clients.clearQuarantine(e, pass);
      } else if (event instanceof LoopEvent.Register e) {
        agents.register(e, pass);
      } else if (event instanceof LoopEvent.Hello e) {
        agents.hello(e, pass);
      } else if (event instanceof LoopEvent.HeartbeatReceived e) {
        agents.heartbeat(e, pass);
      } else if (event instanceof LoopEvent.UpdateReceived e) {
        agents.update(e, pass);
      } else if (event instanceof LoopEvent.SessionEnded e) {
        agents.sessionEnded(e, pass);
      }
    } catch (ControllerException e) {
      Replies.fail(event, e);
    } catch (RuntimeException e) {
      // A bug, or input no check foresaw: this event fails alone (INTERNAL, no details on the
      // wire), while the rest of the pass is still committed and answered.
      log.error("applying {} failed", event.getClass().getSimpleName(), e);
      if (event.reply() != null) {
        event.reply().completeExceptionally(e);
      }
    }
  }

  private void closeSessions(String reason) {
    for (NodeEntry node : ctx.state.nodes()) {
      if (node.isConnected()) {
        node.session().close(reason);
      }
    }
  }

  private void recoverFromStoreFailure() {
    closeSessions("the controller is recovering from a store failure");
    try {
      ctx.state = ClusterState.restore(ctx.store.load());
      ctx.state.nodes().forEach(node -> node.watchFrom(clock.instant()));
      ctx.state.nodes().forEach(node -> directory.put(node));
      firstPass = true;
    } catch (RuntimeException e) {
      log.error("reloading state failed; will retry on the next pass", e);
    }
  }
}
