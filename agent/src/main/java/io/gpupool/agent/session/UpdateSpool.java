package io.gpupool.agent.session;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gpupool.proto.v1.TaskUpdate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task updates kept on disk until the controller acknowledges them, so that what tasks reached
 * (their ends, exit codes, last output) survives an agent restart too. One file per update, named
 * by its id; the agent's update-id counter and its instance id live beside them, so a restarted
 * agent goes on numbering where it stopped and the controller's duplicate check stays valid.
 *
 * <p>Thread-safe through its only user, {@link UpdateOutbox}, which serializes the calls.
 */
public final class UpdateSpool {
  private static final Logger log = LoggerFactory.getLogger(UpdateSpool.class);
  private static final String SUFFIX = ".update";
  private static final String INSTANCE_FILE = "instance-id";
  private static final String LAST_ID_FILE = "last-id";

  private final Path dir;
  private final String instanceId;
  private final long lastId;
  private final List<TaskUpdate> pending;

  private UpdateSpool(Path dir, String instanceId, long lastId, List<TaskUpdate> pending) {
    this.dir = dir;
    this.instanceId = instanceId;
    this.lastId = lastId;
    this.pending = List.copyOf(pending);
  }

  /**
   * Opens (creating) the spool in {@code dir} and reads what an earlier agent process left.
   *
   * @throws IOException when the directory cannot be read or created
   */
  public static UpdateSpool open(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path instanceFile = dir.resolve(INSTANCE_FILE);
    String instanceId;
    if (Files.exists(instanceFile)) {
      instanceId = Files.readString(instanceFile, StandardCharsets.UTF_8).trim();
    } else {
      instanceId = UUID.randomUUID().toString();
      writeAtomically(dir, instanceFile, instanceId.getBytes(StandardCharsets.UTF_8));
    }
    long lastId = 0;
    Path lastIdFile = dir.resolve(LAST_ID_FILE);
    if (Files.exists(lastIdFile)) {
      lastId = Long.parseLong(Files.readString(lastIdFile, StandardCharsets.UTF_8).trim());
    }
    List<TaskUpdate> pending = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        try {
          pending.add(TaskUpdate.parseFrom(Files.readAllBytes(file)));
        } catch (InvalidProtocolBufferException e) {
          // A half-written file cannot exist (writes are atomic moves); anything else is not ours.
          log.warn("ignoring unreadable spooled update {}: {}", file, e.getMessage());
        }
      }
    }
    pending.sort(Comparator.comparingLong(TaskUpdate::getUpdateId));
    for (TaskUpdate update : pending) {
      lastId = Math.max(lastId, update.getUpdateId());
    }
    return new UpdateSpool(dir, instanceId, lastId, pending);
  }

  /** The agent instance the spooled update ids belong to; kept across restarts. */
  public String instanceId() {
    return instanceId;
  }

  /** The highest update id ever numbered here. */
  long lastId() {
    return lastId;
  }

  /** Updates an earlier process left unacknowledged, in order. */
  List<TaskUpdate> pending() {
    return pending;
  }

  /** Writes a numbered update and advances the counter; failures are logged, not thrown. */
  void save(TaskUpdate update) {
    try {
      writeAtomically(dir, file(update.getUpdateId()), update.toByteArray());
      writeAtomically(
          dir,
          dir.resolve(LAST_ID_FILE),
          Long.toString(update.getUpdateId()).getBytes(StandardCharsets.UTF_8));
    } catch (IOException | UncheckedIOException e) {
      log.warn(
          "could not spool update {} to {}; it is kept in memory only",
          update.getUpdateId(),
          dir,
          e);
    }
  }

  /** Deletes the files of acknowledged updates. */
  void remove(List<TaskUpdate> acknowledged) {
    for (TaskUpdate update : acknowledged) {
      try {
        Files.deleteIfExists(file(update.getUpdateId()));
      } catch (IOException e) {
        log.warn("could not delete spooled update {}", update.getUpdateId(), e);
      }
    }
  }

  private Path file(long updateId) {
    return dir.resolve(String.format("%020d%s", updateId, SUFFIX));
  }

  private static void writeAtomically(Path dir, Path target, byte[] bytes) throws IOException {
    Path temp = Files.createTempFile(dir, ".spool", ".tmp");
    try {
      Files.write(temp, bytes);
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
