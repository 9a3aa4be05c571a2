package io.gpupool.controller.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gpupool.proto.v1.Task;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Migration 4: fills the {@code tenant} column (added by V3) of the tasks stored before it, from
 * the tenant in each stored task. Java, since the tenant is inside the serialized task. Registered
 * with Flyway explicitly (no class-path scanning); runs once, in Flyway's transaction.
 */
final class TaskTenantsMigration implements JavaMigration {
  private static final int BATCH = 1000;

  @Override
  public MigrationVersion getVersion() {
    return MigrationVersion.fromVersion("4");
  }

  @Override
  public String getDescription() {
    return "task tenants";
  }

  @Override
  public Integer getChecksum() {
    return null;
  }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    try (PreparedStatement read =
            c.prepareStatement("SELECT id, task FROM tasks WHERE tenant IS NULL ORDER BY seq");
        PreparedStatement write = c.prepareStatement("UPDATE tasks SET tenant = ? WHERE id = ?")) {
      read.setFetchSize(BATCH);
      int pending = 0;
      try (ResultSet rs = read.executeQuery()) {
        while (rs.next()) {
          write.setString(1, Tenants.of(parse(rs.getString(1), rs.getBytes(2)).getSpec()));
          write.setString(2, rs.getString(1));
          write.addBatch();
          if (++pending == BATCH) {
            write.executeBatch();
            pending = 0;
          }
        }
      }
      if (pending > 0) {
        write.executeBatch();
      }
    }
  }

  private static Task parse(String id, byte[] bytes) throws SQLException {
    try {
      return Task.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new SQLException("corrupt task row " + id + ": " + e.getMessage(), e);
    }
  }
}
