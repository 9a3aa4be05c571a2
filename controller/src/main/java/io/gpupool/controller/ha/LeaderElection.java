package io.gpupool.controller.ha;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elects the leader among the controllers that share one PostgreSQL store (database and schema).
 *
 * <p>The leader holds a session-level advisory lock, {@code pg_try_advisory_lock(}{@value
 * #LOCK_CLASS_ID}{@code , hashtext(current_schema()))}, on a connection of its own (not from the
 * store's pool): clusters in different schemas of one database do not contend, and the lock lasts
 * exactly as long as that session. A killed leader's socket closes and the server frees the lock at
 * once; for a host that vanishes, the session asks the server for TCP keepalives (and a TCP user
 * timeout where the server has it) so that it is freed within about 10 s. The winner increments the
 * epoch in {@code controller_leader} and records itself; see {@link Leadership}.
 *
 * <p>Not thread-safe: one thread calls {@link #tryLead} or {@link #awaitLeadership}. A won election
 * hands its connection to the {@link Leadership}; {@link #close()} closes a connection still held
 * by a standby.
 */
public final class LeaderElection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  /** First key of the lock: "gpup" in ASCII, apart from other applications' advisory locks. */
  public static final int LOCK_CLASS_ID = 0x67707570;

  /** A query on the lock connection that takes longer than this breaks the connection. */
  static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(5);

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Duration pollInterval;
  private Connection connection;

  /**
   * An election on the store at {@code jdbcUrl} (a {@code jdbc:postgresql:} URL, its schema in
   * {@code currentSchema} when it is not {@code public}), whose schema has been migrated.
   *
   * @param user database user, or null when the URL carries it
   * @param password database password, or null
   * @param pollInterval how often a standby tries the lock
   */
  public LeaderElection(String jdbcUrl, String user, String password, Duration pollInterval) {
    this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    this.user = user;
    this.password = password;
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("the standby poll interval must be positive");
    }
    this.pollInterval = pollInterval;
  }

  /**
   * Blocks until this controller leads, trying the lock every poll interval. Logs once that it is a
   * standby and who leads (again when another controller takes the lead), and once per outage when
   * the database cannot be reached.
   *
   * @param holder this process, as {@code pid@host}
   * @param address the gRPC address this controller advertises
   * @throws InterruptedException when the waiting thread is interrupted; the connection is closed
   */
  public Leadership awaitLeadership(String holder, String address) throws InterruptedException {
    LeaderRecord reported = null;
    boolean unreachable = false;
    try {
      while (true) {
        try {
          Optional<Leadership> won = tryLead(holder, address);
          if (won.isPresent()) {
            return won.get();
          }
          unreachable = false;
          LeaderRecord leader = currentLeader();
          if (!leader.equals(reported)) {
            log.info(
                "standby: controller {} leads the PostgreSQL store; this controller ({}, advertised"
                    + " {}) serves no gRPC and takes over when the leader's lock is free (checking"
                    + " every {} ms)",
                leader.describe(),
                holder,
                address,
                pollInterval.toMillis());
            reported = leader;
          }
        } catch (SQLException e) {
          if (!unreachable) {
            log.warn(
                "electing a leader on the PostgreSQL store failed ({}); retrying every {} ms",
                e.getMessage(),
                pollInterval.toMillis());
            unreachable = true;
          }
          close();
        }
        TimeUnit.NANOSECONDS.sleep(pollInterval.toNanos());
      }
    } catch (InterruptedException e) {
      close();
      throw e;
    }
  }

  /**
   * One try: takes the lock if it is free, then records this controller as the leader with the next
   * epoch. Empty while another session holds the lock.
   *
   * @throws SQLException when the database fails; the connection is closed (and the lock, if it was
   *     taken, released), the next try reconnects
   */
  public Optional<Leadership> tryLead(String holder, String address) throws SQLException {
    try {
      if (connection == null) {
        connection = connect();
      }
      if (!tryLock(connection)) {
        return Optional.empty();
      }
      LeaderRecord previous = read(connection);
      LeaderRecord mine = record(connection, holder, address);
      Leadership leadership = new Leadership(connection, mine, previous);
      connection = null;
      return Optional.of(leadership);
    } catch (SQLException e) {
      close();
      throw e;
    }
  }

  /** Who leads now, as recorded in the store. */
  public LeaderRecord currentLeader() throws SQLException {
    if (connection == null) {
      connection = connect();
    }
    return read(connection);
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("ApplicationName", "gpupool controller leader lock");
    Connection c = DriverManager.getConnection(jdbcUrl, properties);
    try {
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        // The server probes the client after 3 s of silence, every 1 s, and ends the session (so
        // frees the lock) after 3 unanswered probes.
        s.execute("SET tcp_keepalives_idle = 3");
        s.execute("SET tcp_keepalives_interval = 1");
        s.execute("SET tcp_keepalives_count = 3");
        // Waiting for the old leader's last commit to finish must not hang the election.
        s.execute("SET lock_timeout = '2s'");
      }
      setTcpUserTimeout(c);
      c.setNetworkTimeout(Runnable::run, (int) NETWORK_TIMEOUT.toMillis());
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Unacknowledged data for 9 s also ends the session; PostgreSQL 12 and later only. */
  private static void setTcpUserTimeout(Connection c) throws SQLException {
    if (c.getMetaData().getDatabaseMajorVersion() < 12) {
      log.debug("PostgreSQL before 12 has no tcp_user_timeout; relying on keepalives");
      return;
    }
    try (Statement s = c.createStatement()) {
      s.execute("SET tcp_user_timeout = 9000");
    }
  }

  private static boolean tryLock(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(current_schema()))")) {
      s.setInt(1, LOCK_CLASS_ID);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        boolean locked = rs.getBoolean(1);
        if (rs.wasNull()) {
          throw new SQLException(
              "the connection has no current schema; create the schema named in currentSchema");
        }
        return locked;
      }
    }
  }

  private static LeaderRecord read(Connection c) throws SQLException {
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT epoch, holder, address, since FROM controller_leader WHERE id = 1");
        ResultSet rs = s.executeQuery()) {
      return rs.next() ? leaderRecord(rs) : new LeaderRecord(0, "", "", null);
    }
  }

  private static LeaderRecord record(Connection c, String holder, String address)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO controller_leader (id, epoch, holder, address, since)"
                + " VALUES (1, 1, ?, ?, now())"
                + " ON CONFLICT (id) DO UPDATE SET epoch = controller_leader.epoch + 1,"
                + " holder = EXCLUDED.holder, address = EXCLUDED.address, since = EXCLUDED.since"
                + " RETURNING epoch, holder, address, since")) {
      s.setString(1, holder);
      s.setString(2, address);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return leaderRecord(rs);
      }
    }
  }

  private static LeaderRecord leaderRecord(ResultSet rs) throws SQLException {
    OffsetDateTime since = rs.getObject(4, OffsetDateTime.class);
    return new LeaderRecord(
        rs.getLong(1), rs.getString(2), rs.getString(3), since == null ? null : since.toInstant());
  }

  /** Closes the standby's connection, if any; a {@link Leadership} already won is unaffected. */
  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("closing the leader-lock connection failed", e);
      }
      connection = null;
    }
  }
}
