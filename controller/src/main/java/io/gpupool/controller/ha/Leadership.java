package io.gpupool.controller.ha;

import io.gpupool.controller.store.LeadershipLostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A won election: the connection that holds the leader lock, and the epoch this controller
 * recorded. The lock lasts as long as the connection; {@link #close()} gives it up.
 *
 * <p>Thread-safe: the watchdog calls {@link #verify()} while another thread may close.
 */
public final class Leadership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  /** A verification that takes longer than this (seconds) counts as a failed lock connection. */
  static final int VERIFY_TIMEOUT_SECONDS = 2;

  private final Connection connection;
  private final LeaderRecord record;
  private final LeaderRecord previous;
  private boolean closed;

  Leadership(Connection connection, LeaderRecord record, LeaderRecord previous) {
    this.connection = connection;
    this.record = record;
    this.previous = previous;
  }

  /** The epoch this controller leads; the store fences commits with it. */
  public long epoch() {
    return record.epoch();
  }

  /** What this controller recorded when it took the lead. */
  public LeaderRecord record() {
    return record;
  }

  /** Who led before (epoch 0 when nobody had). */
  public LeaderRecord previous() {
    return previous;
  }

  /**
   * Checks, with one small query on the lock connection, that the connection (and so the lock) is
   * alive and that the recorded epoch is still this one.
   *
   * @throws LeadershipLostException when the connection failed or did not answer within 2 s, when
   *     another epoch is recorded, or after {@link #close()}
   */
  public synchronized void verify() {
    if (closed) {
      throw new LeadershipLostException("this controller gave up the leader lock");
    }
    try (PreparedStatement s =
        connection.prepareStatement("SELECT epoch, holder FROM controller_leader WHERE id = 1")) {
      s.setQueryTimeout(VERIFY_TIMEOUT_SECONDS);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new LeadershipLostException("the controller_leader row is gone");
        }
        if (rs.getLong(1) != record.epoch()) {
          throw new LeadershipLostException(
              "controller "
                  + rs.getString(2)
                  + " recorded leader epoch "
                  + rs.getLong(1)
                  + " over this controller's epoch "
                  + record.epoch());
        }
      }
    } catch (SQLException e) {
      throw new LeadershipLostException(
          "the connection holding the leader lock failed: " + e.getMessage(), e);
    }
  }

  /**
   * Releases the lock, so that a standby can take over at its next try, and closes the connection
   * (which releases it as well, once the server notices); calling it again does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try (PreparedStatement s =
        connection.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(current_schema()))")) {
      s.setInt(1, LeaderElection.LOCK_CLASS_ID);
      s.execute();
    } catch (SQLException e) {
      log.debug("releasing the leader lock failed; closing its connection releases it", e);
    }
    try {
      connection.close();
    } catch (SQLException e) {
      log.debug("closing the leader-lock connection failed", e);
    }
  }
}
