package io.gpupool.controller.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskEvent;
import io.gpupool.proto.v1.TaskState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * {@link Store} over JDBC: embedded H2 in the data dir by default. Schema managed by Flyway ({@code
 * db/migration}); every commit is one transaction.
 *
 * <p>Thread-safe. On a shared PostgreSQL store, the leader calls {@link #requireLeaderEpoch} once
 * it leads; from then on a commit that finds a newer leader throws {@link LeadershipLostException}
 * and changes nothing.
 */
public final class JdbcStore implements Store {
  private static final long NO_EPOCH = -1;

  /**
   * Run on every pooled PostgreSQL connection: the server probes an idle client after 5 s and drops
   * it after 3 more unanswered probes, and ends a transaction its client left open for 10 s. A
   * leader cut off in the middle of a commit would otherwise keep its lock on the leader row (and
   * so keep the next leader from recording itself) until the kernel's TCP timeout, hours later.
   */
  private static final String POSTGRES_SESSION_SETTINGS =
      "SELECT set_config('tcp_keepalives_idle', '5', false),"
          + " set_config('tcp_keepalives_interval', '2', false),"
          + " set_config('tcp_keepalives_count', '3', false),"
          + " set_config('idle_in_transaction_session_timeout', '10s', false)";

  private static final String TERMINAL_STATES =
      Set.of(
              TaskState.TASK_STATE_SUCCEEDED,
              TaskState.TASK_STATE_FAILED,
              TaskState.TASK_STATE_CANCELLED)
          .stream()
          .map(s -> "'" + s.name() + "'")
          .sorted()
          .collect(Collectors.joining(","));

  private final HikariDataSource dataSource;
  private final String fenceQuery;
  private final TokenStore tokens = new JdbcTokenStore(this);
  private final AuditStore audit = new JdbcAuditStore(this);
  private volatile long leaderEpoch = NO_EPOCH;

  private JdbcStore(HikariDataSource dataSource, boolean postgres) {
    this.dataSource = dataSource;
    // H2 has no shared row locks; it never elects a leader, so its fence only serves tests.
    this.fenceQuery =
        "SELECT epoch, holder FROM controller_leader WHERE id = 1 FOR "
            + (postgres ? "SHARE" : "UPDATE");
  }

  /**
   * Opens (creating if needed) the embedded H2 database under {@code dataDir} and migrates it.
   * Commits are written before they return ({@code WRITE_DELAY=0}), so an acknowledged submit
   * survives a killed process.
   */
  public static JdbcStore openH2(Path dataDir) {
    Path file = dataDir.toAbsolutePath().resolve("gpupool");
    return open("jdbc:h2:file:" + file + ";WRITE_DELAY=0", null, null);
  }

  /** Opens the database at a JDBC URL and migrates it. */
  public static JdbcStore open(String jdbcUrl, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(8);
    config.setPoolName("gpupool-store");
    config.setAutoCommit(false);
    if (isPostgres(jdbcUrl)) {
      config.setConnectionInitSql(POSTGRES_SESSION_SETTINGS);
    }
    HikariDataSource dataSource = new HikariDataSource(config);
    try {
      migrate(dataSource);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    return new JdbcStore(dataSource, isPostgres(jdbcUrl));
  }

  /** Whether the URL names a PostgreSQL database (where controllers elect a leader). */
  public static boolean isPostgres(String jdbcUrl) {
    return jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:");
  }

  /**
   * Fences every later commit with the leader epoch this controller recorded when it took the
   * leader lock: a commit first reads {@code controller_leader} with a share lock, in its own
   * transaction, and rolls back with {@link LeadershipLostException} when another epoch is there.
   * The share lock makes a new leader's epoch increment wait for a commit in flight, so the new
   * leader loads the state only after the last commit of the old one, and the old one can commit
   * nothing after that.
   */
  public void requireLeaderEpoch(long epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("a leader epoch is not negative, got " + epoch);
    }
    this.leaderEpoch = epoch;
  }

  private static void migrate(DataSource dataSource) {
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .javaMigrations(new TaskTenantsMigration())
        .load()
        .migrate();
  }

  /** The API tokens in this database. */
  public TokenStore tokens() {
    return tokens;
  }

  /** The audit log in this database. */
  public AuditStore audit() {
    return audit;
  }

  /** A pooled connection, not in auto-commit mode, for the token and audit tables. */
  Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  /** A body of one fenced write transaction. */
  @FunctionalInterface
  interface Write<T> {
    T apply(Connection c) throws SQLException;
  }

  /**
   * Runs {@code body} in one transaction that a deposed leader cannot commit (see {@link
   * #requireLeaderEpoch}); {@code what} names it in the {@link StoreException} of a failure.
   */
  <T> T write(String what, Write<T> body) {
    try (Connection c = dataSource.getConnection()) {
      try {
        checkLeaderEpoch(c);
        T result = body.apply(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(what + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public StoredState load() {
    try (Connection c = dataSource.getConnection()) {
      List<StoredTask> tasks = new ArrayList<>();
      try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT seq, task, last_event_seq FROM tasks WHERE state NOT IN ("
                      + TERMINAL_STATES
                      + ") ORDER BY seq");
          ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          tasks.add(storedTask(rs));
        }
      }
      List<NodeRecord> nodes = new ArrayList<>();
      try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT node, credential_hash, instance_id, last_applied_update FROM nodes"
                      + " ORDER BY id");
          ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          nodes.add(
              new NodeRecord(
                  Node.parseFrom(rs.getBytes(1)), rs.getString(2), rs.getString(3), rs.getLong(4)));
        }
      }
      long maxSeq;
      try (PreparedStatement s = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM tasks");
          ResultSet rs = s.executeQuery()) {
        rs.next();
        maxSeq = rs.getLong(1);
      }
      c.commit();
      return new StoredState(tasks, nodes, maxSeq);
    } catch (SQLException | InvalidProtocolBufferException e) {
      throw new StoreException("loading state failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void commit(Changes changes) {
    if (changes.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      try {
        checkLeaderEpoch(c);
        insertTasks(c, changes);
        updateTasks(c, changes);
        appendEvents(c, changes);
        upsertNodes(c, changes);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("commit failed: " + e.getMessage(), e);
    }
  }

  private void checkLeaderEpoch(Connection c) throws SQLException {
    long mine = leaderEpoch;
    if (mine == NO_EPOCH) {
      return;
    }
    try (PreparedStatement s = c.prepareStatement(fenceQuery);
        ResultSet rs = s.executeQuery()) {
      if (!rs.next()) {
        throw new LeadershipLostException(
            "the controller_leader row is gone; this controller (epoch "
                + mine
                + ") no longer knows that it leads");
      }
      long current = rs.getLong(1);
      if (current != mine) {
        throw new LeadershipLostException(
            "controller "
                + rs.getString(2)
                + " leads the store as epoch "
                + current
                + "; this controller led epoch "
                + mine
                + " and may no longer write");
      }
    }
  }

  private static void insertTasks(Connection c, Changes changes) throws SQLException {
    if (changes.insertedTasks().isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO tasks (id, seq, request_id, state, last_event_seq, task, tenant)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (StoredTask t : changes.insertedTasks()) {
        s.setString(1, t.task().getId());
        s.setLong(2, t.sequence());
        String requestId = t.task().getRequestId();
        s.setString(3, requestId.isEmpty() ? null : requestId);
        s.setString(4, t.task().getState().name());
        s.setLong(5, t.lastEventSequence());
        s.setBytes(6, t.task().toByteArray());
        s.setString(7, Tenants.of(t.task().getSpec()));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static void updateTasks(Connection c, Changes changes) throws SQLException {
    if (changes.updatedTasks().isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE tasks SET state = ?, last_event_seq = ?, task = ? WHERE id = ?")) {
      for (StoredTask t : changes.updatedTasks()) {
        s.setString(1, t.task().getState().name());
        s.setLong(2, t.lastEventSequence());
        s.setBytes(3, t.task().toByteArray());
        s.setString(4, t.task().getId());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static void appendEvents(Connection c, Changes changes) throws SQLException {
    if (changes.events().isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO task_events (task_id, seq, event) VALUES (?, ?, ?)")) {
      for (TaskEvent e : changes.events()) {
        s.setString(1, e.getTaskId());
        s.setLong(2, e.getSequence());
        s.setBytes(3, e.toByteArray());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static void upsertNodes(Connection c, Changes changes) throws SQLException {
    for (NodeRecord n : changes.nodes()) {
      int updated;
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE nodes SET name = ?, credential_hash = ?, instance_id = ?,"
                  + " last_applied_update = ?, node = ? WHERE id = ?")) {
        bindNode(s, n);
        updated = s.executeUpdate();
      }
      if (updated == 0) {
        try (PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO nodes (name, credential_hash, instance_id, last_applied_update, node,"
                    + " id) VALUES (?, ?, ?, ?, ?, ?)")) {
          bindNode(s, n);
          s.executeUpdate();
        }
      }
    }
  }

  private static void bindNode(PreparedStatement s, NodeRecord n) throws SQLException {
    s.setString(1, n.node().getName());
    s.setString(2, n.credentialHash());
    s.setString(3, n.instanceId());
    s.setLong(4, n.lastAppliedUpdate());
    s.setBytes(5, n.node().toByteArray());
    s.setString(6, n.node().getId());
  }

  @Override
  public Optional<Task> findTask(String id) {
    return findOneTask("SELECT seq, task, last_event_seq FROM tasks WHERE id = ?", id);
  }

  @Override
  public Optional<Task> findTaskByRequestId(String requestId) {
    return findOneTask(
        "SELECT seq, task, last_event_seq FROM tasks WHERE request_id = ?", requestId);
  }

  private Optional<Task> findOneTask(String sql, String key) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, key);
      try (ResultSet rs = s.executeQuery()) {
        Optional<Task> task = rs.next() ? Optional.of(storedTask(rs).task()) : Optional.empty();
        c.commit();
        return task;
      }
    } catch (SQLException e) {
      throw new StoreException("reading task failed: " + e.getMessage(), e);
    }
  }

  @Override
  public List<StoredTask> listTasks(
      Set<TaskState> states, String tenant, long afterSequence, int limit) {
    String stateFilter =
        states.isEmpty()
            ? ""
            : " AND state IN ("
                + states.stream().map(s -> "?").collect(Collectors.joining(","))
                + ")";
    String sql =
        "SELECT seq, task, last_event_seq FROM tasks WHERE seq > ?"
            + (tenant == null ? "" : " AND tenant = ?")
            + stateFilter
            + " ORDER BY seq LIMIT ?";
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      int i = 1;
      s.setLong(i++, afterSequence);
      if (tenant != null) {
        s.setString(i++, tenant);
      }
      for (TaskState state : states.stream().sorted().toList()) {
        s.setString(i++, state.name());
      }
      s.setInt(i, limit);
      List<StoredTask> tasks = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          tasks.add(storedTask(rs));
        }
      }
      c.commit();
      return tasks;
    } catch (SQLException e) {
      throw new StoreException("listing tasks failed: " + e.getMessage(), e);
    }
  }

  @Override
  public List<TaskEvent> listEvents(String taskId, long afterSequence, int limit) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT event FROM task_events WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?")) {
      s.setString(1, taskId);
      s.setLong(2, afterSequence);
      s.setInt(3, limit);
      List<TaskEvent> events = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          events.add(TaskEvent.parseFrom(rs.getBytes(1)));
        }
      }
      c.commit();
      return events;
    } catch (SQLException | InvalidProtocolBufferException e) {
      throw new StoreException("reading events failed: " + e.getMessage(), e);
    }
  }

  private static StoredTask storedTask(ResultSet rs) throws SQLException {
    try {
      return new StoredTask(rs.getLong(1), Task.parseFrom(rs.getBytes(2)), rs.getLong(3));
    } catch (InvalidProtocolBufferException e) {
      throw new SQLException("corrupt task row: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
