package io.gpupool.controller.ha;

import java.time.Instant;

/**
 * The row of {@code controller_leader}: who leads the controllers that share a PostgreSQL store.
 *
 * @param epoch incremented by every controller that takes the lead; commits are fenced by it
 * @param holder the leading process, as {@code pid@host}
 * @param address the gRPC address the leader advertises ({@code --advertise-address})
 * @param since when it took the lead, by the database's clock; null before anyone led
 */
public record LeaderRecord(long epoch, String holder, String address, Instant since) {

  /** Whether any controller has ever led this store. */
  public boolean isSet() {
    return epoch > 0;
  }

  /** "1234@ctl-a (advertised ctl-a:7070, epoch 3, since 2026-11-25T12:00:00Z)", for logs. */
  public String describe() {
    return holder + " (advertised " + address + ", epoch " + epoch + ", since " + since + ")";
  }
}
