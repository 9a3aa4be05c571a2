package io.gpupool.controller.auth;

import io.gpupool.controller.state.Timestamps;
import io.gpupool.controller.store.AuditStore;
import io.gpupool.controller.store.StoreException;
import io.gpupool.proto.v1.AuditEvent;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: who did what, when. A writer thread of its own logs each record as one line under
 * the logger {@value #LOGGER} and stores it durably, in batches, so that recording (often on the
 * scheduling loop's thread, which answers submits) waits for neither the log nor the database.
 * {@link #list} first waits for what was recorded before it to be stored.
 *
 * <p>Thread-safe. When the store fails, the batch is dropped with an error in the log (its lines
 * were logged already); when 100,000 records wait, new ones are only logged. {@link #close()}
 * stores what is queued, then stops the writer.
 */
public final class AuditLog implements AutoCloseable {
  /** The slf4j logger name of audit lines. */
  public static final String LOGGER = "gpupool.audit";

  private static final int CAPACITY = 100_000;
  private static final int BATCH = 1000;
  private static final Duration FLUSH_WAIT = Duration.ofSeconds(10);

  private static final Logger lines = LoggerFactory.getLogger(LOGGER);
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  private final AuditStore store;
  private final Clock clock;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>(CAPACITY);
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  private AuditLog(AuditStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.writer = new Thread(this::write, "gpupool-audit-writer");
    writer.setDaemon(true);
  }

  /** An audit log writing to {@code store}, timing records on {@code clock}; its writer runs. */
  public static AuditLog start(AuditStore store, Clock clock) {
    AuditLog audit = new AuditLog(store, clock);
    audit.writer.start();
    return audit;
  }

  /**
   * Records a call's outcome.
   *
   * @param caller who made it; null when no valid token was presented
   * @param method the RPC's full name
   * @param target what it acted on (task, node, token id); empty when nothing in particular
   * @param outcome the status code it was answered with
   * @param peer the caller's address
   */
  public void record(
      Principal caller, String method, String target, Status.Code outcome, String peer) {
    AuditEvent.Builder event =
        AuditEvent.newBuilder()
            .setTime(Timestamps.of(clock.instant()))
            .setMethod(method)
            .setTarget(target)
            .setOutcome(outcome.name())
            .setPeer(peer);
    if (caller != null) {
      event.setTokenId(caller.tokenId()).setTenant(caller.tenant()).setRole(caller.role());
    }
    AuditEvent built = event.build();
    if (closed || !queue.offer(built)) {
      logLine(built);
      long count = dropped.incrementAndGet();
      if (closed) {
        log.warn("the audit log is closed: a call answered while stopping is only logged");
      } else if (count == 1 || count % 10_000 == 0) {
        log.error(
            "the audit log is behind by {} records; {} record(s) only logged, not stored",
            CAPACITY,
            count);
      }
    }
  }

  /**
   * Up to {@code limit} stored records after {@code afterSequence}, in order, including every
   * record recorded before this call (it waits up to 10 s for the writer to store them).
   */
  public List<AuditEvent> list(long afterSequence, int limit) {
    flush();
    return store.listAudit(afterSequence, limit);
  }

  /** Waits until the records queued so far are written (or dropped for a store failure). */
  void flush() {
    if (!closed) {
      awaitWritten();
    }
  }

  private void awaitWritten() {
    CompletableFuture<Void> written = new CompletableFuture<>();
    if (!queue.offer(written)) {
      return;
    }
    try {
      written.get(FLUSH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("audit records are slow to be stored; listing what is stored now");
    }
  }

  private void write() {
    List<Object> taken = new ArrayList<>();
    while (true) {
      try {
        taken.add(queue.take());
      } catch (InterruptedException e) {
        return; // close() interrupts only after the queue was drained
      }
      queue.drainTo(taken, BATCH - 1);
      List<AuditEvent> events = new ArrayList<>(taken.size());
      List<CompletableFuture<?>> flushes = new ArrayList<>();
      for (Object item : taken) {
        if (item instanceof AuditEvent event) {
          logLine(event);
          events.add(event);
        } else {
          flushes.add((CompletableFuture<?>) item);
        }
      }
      taken.clear();
      try {
        store.appendAudit(events);
      } catch (StoreException e) {
        log.error(
            "could not store {} audit record(s) (they are in the {} log): {}",
            events.size(),
            LOGGER,
            e.getMessage());
      } catch (RuntimeException e) {
        log.error("could not store {} audit record(s)", events.size(), e);
      }
      flushes.forEach(f -> f.complete(null));
    }
  }

  /** Stores what is queued, then stops the writer; calling it again does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    awaitWritten();
    writer.interrupt();
    try {
      writer.join(FLUSH_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void logLine(AuditEvent event) {
    lines.info(
        "{} {} target={} token={} role={} tenant={} peer={}",
        event.getMethod(),
        event.getOutcome(),
        printable(event.getTarget()),
        event.getTokenId().isEmpty() ? "-" : event.getTokenId(),
        Roles.name(event.getRole()),
        printable(event.getTenant()),
        printable(event.getPeer()));
  }

  /** Control characters (a newline in a node name) would forge log lines; show them as '?'. */
  static String printable(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), 256));
    for (int i = 0; i < value.length() && i < 256; i++) {
      char c = value.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return out.isEmpty() ? "-" : out.toString();
  }
}
