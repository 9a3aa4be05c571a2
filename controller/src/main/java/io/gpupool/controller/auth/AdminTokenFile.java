package io.gpupool.controller.auth;

import io.gpupool.proto.v1.Role;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin token: when the store holds no active admin token (first start, or every admin
 * token revoked or expired), the controller creates one and writes its secret to {@code
 * DATA_DIR/}{@value #FILE_NAME}, readable by the controller's user only (created with mode 0600,
 * never widened). Stateless.
 */
public final class AdminTokenFile {
  /** The file's name in the data dir. */
  public static final String FILE_NAME = "admin.token";

  /** {@code created_by} of the tokens this creates. */
  static final String CREATOR = "bootstrap";

  private static final Logger log = LoggerFactory.getLogger(AdminTokenFile.class);

  private AdminTokenFile() {}

  /**
   * Creates the first admin token when there is no active one, writing its secret to the file
   * before the token is stored (so that a token nobody can read never exists), then moving it into
   * place.
   *
   * @return the file when this call created a token; empty when an admin token already existed
   * @throws IOException when the file cannot be written; no token was created then
   */
  public static Optional<Path> bootstrap(TokenRegistry tokens, Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (tokens.hasActiveAdmin()) {
      if (Files.exists(file)) {
        log.info("admin token file: {}", file.toAbsolutePath());
      }
      return Optional.empty();
    }
    Path partial = dataDir.resolve(FILE_NAME + ".partial");
    Files.deleteIfExists(partial);
    CreatedToken created;
    try {
      created =
          tokens.createWith(
              Role.ROLE_ADMIN,
              "",
              "first admin token, in " + FILE_NAME,
              null,
              CREATOR,
              secret -> writeOwnerOnly(partial, secret + "\n"));
      Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
    log.info(
        "no admin token was active: created admin token {}; its secret is in {} (mode 0600)",
        created.token().getId(),
        file.toAbsolutePath());
    return Optional.of(file);
  }

  private static void writeOwnerOnly(Path file, String content) throws IOException {
    boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
    FileAttribute<?>[] attributes =
        posix
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    if (!posix) {
      log.warn("{} is on a file system without POSIX permissions; restrict it by hand", file);
    }
    try (SeekableByteChannel channel =
        Files.newByteChannel(
            file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
      ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    }
  }
}
