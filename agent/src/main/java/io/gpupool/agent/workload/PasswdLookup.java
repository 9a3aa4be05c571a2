package io.gpupool.agent.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Finds users in the user database: {@code /etc/passwd} first (read in the agent, no process), then
 * {@code getent passwd} for users that only NSS knows (LDAP, SSSD), where getent exists.
 *
 * <p>Stateless apart from its configuration; thread-safe.
 */
final class PasswdLookup {

  /**
   * What a user name or uid may look like (POSIX portable names, plus what useradd accepts): no
   * colon, space or newline that would confuse the passwd format, no leading '-' that getent would
   * take for an option.
   */
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.@-]*\\$?");

  private static final long GETENT_TIMEOUT_MS = 5_000;

  private final Path passwd;
  private final Optional<String> getent;

  /**
   * @param passwd the passwd file to read first
   * @param getent the getent program asked about users the file does not list; empty for none
   */
  PasswdLookup(Path passwd, Optional<String> getent) {
    this.passwd = passwd;
    this.getent = getent;
  }

  /** The machine's database: /etc/passwd and getent. */
  static PasswdLookup system() {
    return new PasswdLookup(Path.of("/etc/passwd"), Supervisor.findProgram("getent"));
  }

  /** True when the text can name a user: a name or a uid of the portable characters. */
  static boolean isValidName(String user) {
    return USER.matcher(user).matches();
  }

  /**
   * The user with this name, or with this uid when it is all digits and no user has it as name.
   *
   * @return empty when the database has no such user or cannot be read
   */
  Optional<WorkloadUser> find(String user) {
    if (!isValidName(user)) {
      return Optional.empty();
    }
    Optional<WorkloadUser> found = fromFile(user);
    return found.isPresent() ? found : fromGetent(user);
  }

  private Optional<WorkloadUser> fromFile(String user) {
    List<String> lines;
    try {
      lines = Files.readAllLines(passwd, StandardCharsets.UTF_8);
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
    Optional<WorkloadUser> byName =
        lines.stream()
            .map(PasswdLookup::parse)
            .flatMap(Optional::stream)
            .filter(u -> u.name().equals(user))
            .findFirst();
    if (byName.isPresent() || !isNumber(user)) {
      return byName;
    }
    long uid = Long.parseLong(user);
    return lines.stream()
        .map(PasswdLookup::parse)
        .flatMap(Optional::stream)
        .filter(u -> u.uid() == uid)
        .findFirst();
  }

  private Optional<WorkloadUser> fromGetent(String user) {
    if (getent.isEmpty()) {
      return Optional.empty();
    }
    try {
      Process process =
          new ProcessBuilder(getent.get(), "passwd", user)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      byte[] output = process.getInputStream().readNBytes(64 * 1024);
      if (!process.waitFor(GETENT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      if (process.exitValue() != 0) {
        return Optional.empty(); // 2: no such user
      }
      String text = new String(output, StandardCharsets.UTF_8).strip();
      return text.lines().findFirst().flatMap(PasswdLookup::parse);
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** One passwd line, {@code name:password:uid:gid:gecos:home:shell}; empty when malformed. */
  static Optional<WorkloadUser> parse(String line) {
    String[] fields = line.split(":", -1);
    if (fields.length < 7 || fields[0].isEmpty() || line.startsWith("#")) {
      return Optional.empty();
    }
    try {
      long uid = Long.parseLong(fields[2]);
      long gid = Long.parseLong(fields[3]);
      if (uid < 0 || gid < 0) {
        return Optional.empty();
      }
      return Optional.of(new WorkloadUser(fields[0], uid, gid, Path.of(fields[5])));
    } catch (NumberFormatException | InvalidPathException e) {
      return Optional.empty();
    }
  }

  private static boolean isNumber(String text) {
    return !text.isEmpty() && text.length() <= 10 && text.chars().allMatch(Character::isDigit);
  }
}
