package io.gpupool.cli.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tokens saved on this machine per controller address, so that the CLI works next to {@code gpupool
 * dev} without flags: dev mode saves its admin token here, and client commands use it when neither
 * {@code --token} nor GPUPOOL_TOKEN is given. One file per address under {@code
 * $XDG_CONFIG_HOME/gpupool/tokens} (default {@code ~/.config/gpupool/tokens}), mode 0600 in a
 * directory of mode 0700; {@code localhost}, {@code 127.0.0.1} and {@code [::1]} share the file of
 * their port ({@code localhost_7070}).
 *
 * <p>Immutable and thread-safe; files are replaced atomically.
 */
public final class SavedTokens {
  private static final Set<String> LOOPBACK =
      Set.of("localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0");
  private static final FileAttribute<?> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final FileAttribute<?> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private final Path dir;

  private SavedTokens(Path dir) {
    this.dir = dir;
  }

  /** No saved tokens (tests, and machines without a home). */
  public static SavedTokens none() {
    return new SavedTokens(null);
  }

  /** Tokens saved in {@code dir}. */
  public static SavedTokens in(Path dir) {
    return new SavedTokens(dir);
  }

  /**
   * The user's: {@code $XDG_CONFIG_HOME/gpupool/tokens}, else {@code HOME/.config/gpupool/tokens}.
   */
  public static SavedTokens forUser(Map<String, String> env, String userHome) {
    String config = env.get("XDG_CONFIG_HOME");
    if (config != null && !config.isBlank()) {
      return in(Path.of(config, "gpupool", "tokens"));
    }
    return userHome == null || userHome.isBlank()
        ? none()
        : in(Path.of(userHome, ".config", "gpupool", "tokens"));
  }

  /** The file a token for {@code target} lives in; empty when there is no place for tokens. */
  public Optional<Path> file(String target) {
    return dir == null ? Optional.empty() : Optional.of(dir.resolve(key(target)));
  }

  /** The token saved for {@code target}, if any (an unreadable file counts as none). */
  public Optional<String> find(String target) {
    Optional<Path> file = file(target).filter(Files::isRegularFile);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      String token = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
      return token.isEmpty() ? Optional.empty() : Optional.of(token);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Saves {@code token} for {@code target}, readable by this user only, replacing what was there.
   *
   * @return the file
   * @throws IOException when it cannot be written; nothing was replaced then
   */
  public Path save(String target, String token) throws IOException {
    Path file = file(target).orElseThrow(() -> new IOException("no home directory to save to"));
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(dir)) {
      if (posix) {
        Files.createDirectories(dir, OWNER_ONLY_DIR);
      } else {
        Files.createDirectories(dir);
      }
    }
    Path partial = Files.createTempFile(dir, ".token-", ".partial", attributes(posix));
    try {
      Files.writeString(
          partial, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
    return file;
  }

  /** Deletes the token saved for {@code target} if it still is {@code token}. */
  public void forget(String target, String token) throws IOException {
    Optional<Path> file = file(target);
    if (file.isPresent() && find(target).filter(token::equals).isPresent()) {
      Files.deleteIfExists(file.get());
    }
  }

  /** {@code localhost_7070} for {@code 127.0.0.1:7070}; a safe file name for any target. */
  static String key(String target) {
    String address = target.strip().toLowerCase(Locale.ROOT);
    int colon = address.lastIndexOf(':');
    if (colon > 0 && !address.contains(",")) {
      String host = address.substring(0, colon);
      if (LOOPBACK.contains(host)) {
        address = "localhost" + address.substring(colon);
      }
    }
    return address.replaceAll("[^a-z0-9.-]", "_");
  }

  private static FileAttribute<?>[] attributes(boolean posix) {
    return posix ? new FileAttribute<?>[] {OWNER_ONLY_FILE} : new FileAttribute<?>[0];
  }
}
