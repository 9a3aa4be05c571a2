package io.gpupool.controller.store;

import io.gpupool.proto.v1.AuditEvent;
import java.util.List;

/**
 * The durable audit log: append-only, numbered by the store from 1.
 *
 * <p>Thread-safe. Every method throws {@link StoreException} when the database fails; a failed
 * append wrote none of its events.
 */
public interface AuditStore {

  /**
   * Appends events in order, in one transaction; their {@code sequence} is ignored and assigned.
   */
  void appendAudit(List<AuditEvent> events);

  /** Up to {@code limit} events with a sequence greater than {@code afterSequence}, in order. */
  List<AuditEvent> listAudit(long afterSequence, int limit);
}
