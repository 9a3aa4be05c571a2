package io.gpupool.agent.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * The node's id, generated on its first start and kept in {@code <state dir>/node-id} so that the
 * node stays the same node across restarts.
 *
 * <p>Not safe against two agents sharing one state dir at the same time; the file itself is always
 * written whole (temp file, then move).
 */
public final class NodeIdentity {

  /** The file in the state dir holding the node id. */
  public static final String FILE_NAME = "node-id";

  private NodeIdentity() {}

  /**
   * Reads the node id from the state dir, or generates and stores a new one; creates the state dir
   * if needed.
   *
   * @throws IOException when the state dir cannot be read or written, or the file does not hold a
   *     node id (the message names the file)
   */
  public static String loadOrCreate(Path stateDir) throws IOException {
    Files.createDirectories(stateDir);
    Path file = stateDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      String text = Files.readString(file, StandardCharsets.UTF_8).trim();
      try {
        return UUID.fromString(text).toString();
      } catch (IllegalArgumentException e) {
        throw new IOException(
            file + " does not hold a node id (a UUID); remove it to register as a new node", e);
      }
    }
    String nodeId = UUID.randomUUID().toString();
    Path temp = Files.createTempFile(stateDir, FILE_NAME, ".tmp");
    try {
      Files.writeString(temp, nodeId + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    return nodeId;
  }
}
