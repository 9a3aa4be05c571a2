package io.gpupool.agent.workload;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gpupool.proto.v1.StartTask;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * The files through which a command task outlives the agent process, in {@code
 * stateDir/tasks/<taskId>/.gpupool/}:
 *
 * <ul>
 *   <li>{@code launch}: written by the agent before it launches the supervisor: the launch time
 *       (ISO-8601) and the user the workload runs as ({@code uid:gid:name}) on the first line, then
 *       the {@code StartTask} message;
 *   <li>{@code pid}: the supervisor's pid, its first act;
 *   <li>{@code stdout}, {@code stderr}: the workload's output, appended by it;
 *   <li>{@code exit}: the workload's exit status and a newline, written by the supervisor last;
 *   <li>{@code offsets}: how far stdout and stderr were handed to the sink, and how many bytes of
 *       output the task sent in all; the agent empties stdout and stderr once it has reported them
 *       and they grew large, recording offset 0 before it does (see {@link TaskOutputFiles});
 *   <li>{@code stop}: why the agent is stopping the task and its preemption notice, if any;
 *   <li>{@code reported}: the launch record, renamed once the task's ended update is in the sink;
 *       stdout and stderr are emptied then.
 * </ul>
 *
 * <p>The agent reads {@code exit} only once the supervisor is gone, and counts it only when it is
 * complete (newline-terminated): a supervisor killed while writing it leaves a task without exit
 * status. {@code offsets} is overwritten in place with one small fixed-width write, {@code stop} is
 * written aside and moved into place: a reader sees the old content or the new.
 *
 * <p>The directory belongs to the agent's user with mode 0700: a workload that runs as another user
 * cannot read another task's output, nor write the files that the agent trusts (pid, exit); it
 * writes its own stdout and stderr only through the descriptors it inherits.
 *
 * <p>Files are never deleted while a task runs or when it is reported, only when the next attempt
 * of the task starts: on a file system that keeps recently deleted inodes from reuse (ext4 without
 * a journal skips those deleted in the last minutes), deleting a few files per task would make
 * every later file creation scan past them. Not thread-safe: each file has one writer at a time
 * (its execution serializes them).
 */
final class SupervisorDir {

  /** The directory's name inside the task directory; hidden, as the workload may run there. */
  static final String NAME = ".gpupool";

  private static final String LAUNCH = "launch";
  private static final String PID = "pid";
  private static final String EXIT = "exit";
  private static final String OFFSETS = "offsets";
  private static final String STOP = "stop";
  private static final String REPORTED = "reported";

  /**
   * Room for two offsets and a byte count of up to 19 digits each: the file never shrinks, so it is
   * never truncated.
   */
  private static final String OFFSETS_FORMAT = "%019d %019d %019d\n";

  private final Path dir;

  /**
   * @param taskDirectory the task's directory, {@code stateDir/tasks/<taskId>}
   */
  SupervisorDir(Path taskDirectory) {
    this.dir = taskDirectory.resolve(NAME);
  }

  /**
   * What the agent recorded before launching the task's supervisor.
   *
   * @param runAs whom the workload runs as; empty in a record of an agent that did not say
   */
  record LaunchRecord(StartTask command, Instant startedAt, Optional<RunAs> runAs) {}

  /** The user a workload was started as. */
  record RunAs(long uid, long gid, String name) {

    static RunAs of(WorkloadUser user) {
      return new RunAs(user.uid(), user.gid(), user.name());
    }

    /** "nobody (uid 65534)". */
    String describe() {
      return name + " (uid " + uid + ")";
    }

    private String text() {
      return uid + ":" + gid + ":" + name;
    }

    private static Optional<RunAs> parse(String text) {
      String[] parts = text.split(":", 3);
      if (parts.length != 3) {
        return Optional.empty();
      }
      try {
        return Optional.of(new RunAs(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts[2]));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
  }

  Path path() {
    return dir;
  }

  Path stdout() {
    return dir.resolve("stdout");
  }

  Path stderr() {
    return dir.resolve("stderr");
  }

  /**
   * Clears what an earlier attempt of the task left and records this one. Called before the
   * supervisor is launched, so that an agent dying right after the launch still knows the task; one
   * dying while writing leaves no supervisor behind (see {@link #pid()}).
   *
   * @param runAs whom the workload runs as
   * @throws IOException when the directory cannot be cleared or the record written
   */
  void prepare(StartTask command, Instant startedAt, RunAs runAs) throws IOException {
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      deleteFiles();
    } else {
      Files.createDirectories(dir);
    }
    Files.setPosixFilePermissions(dir, TaskDirectories.privateMode());
    byte[] time =
        (startedAt.toString() + " " + runAs.text() + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] message = command.toByteArray();
    byte[] record = Arrays.copyOf(time, time.length + message.length);
    System.arraycopy(message, 0, record, time.length, message.length);
    Files.write(dir.resolve(LAUNCH), record);
  }

  /** True when an attempt was recorded here, its end reported or not. */
  boolean hasRecord() {
    return Files.exists(dir.resolve(LAUNCH)) || isReported();
  }

  /**
   * The recorded attempt.
   *
   * @throws IOException when the record is missing or unreadable
   */
  LaunchRecord readRecord() throws IOException {
    return readRecord(dir.resolve(LAUNCH));
  }

  private static LaunchRecord readRecord(Path file) throws IOException {
    byte[] record = Files.readAllBytes(file);
    int newline = 0;
    while (newline < record.length && record[newline] != '\n') {
      newline++;
    }
    try {
      String[] first = new String(record, 0, newline, StandardCharsets.UTF_8).trim().split(" ", 2);
      Instant startedAt = Instant.parse(first[0]);
      Optional<RunAs> runAs = first.length > 1 ? RunAs.parse(first[1]) : Optional.empty();
      StartTask command =
          StartTask.parseFrom(
              Arrays.copyOfRange(record, Math.min(newline + 1, record.length), record.length));
      return new LaunchRecord(command, startedAt, runAs);
    } catch (DateTimeParseException | InvalidProtocolBufferException e) {
      throw new IOException("unreadable " + file + ": " + e.getMessage(), e);
    }
  }

  /** True once the task's ended update reached the sink. */
  boolean isReported() {
    return Files.exists(dir.resolve(REPORTED));
  }

  /** The attempt whose end was reported; empty when none was, or the record is unreadable. */
  OptionalInt reportedAttempt() {
    try {
      return OptionalInt.of(
          CommandExecution.attemptOf(readRecord(dir.resolve(REPORTED)).command()));
    } catch (IOException e) {
      return OptionalInt.empty();
    }
  }

  /**
   * The supervisor's pid. Empty when the supervisor never wrote it, which means that it never
   * started the workload (writing it is its first act); it writes it with one small write, so a
   * reader sees all of it or nothing.
   */
  OptionalLong pid() {
    Optional<String> text = readText(PID);
    if (text.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text.get().trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The workload's exit status as the supervisor recorded it; empty when it did not, or did not
   * finish writing it. Read it only once the supervisor is gone.
   */
  OptionalInt exitStatus() {
    return readText(EXIT)
        .filter(text -> text.endsWith("\n"))
        .map(SupervisorDir::parseInt)
        .orElse(OptionalInt.empty());
  }

  /**
   * How far stdout and stderr were reported and how much output was sent: {@code [stdout, stderr,
   * sent bytes]}, zeros at first (an earlier agent's record without the byte count gives 0 for it).
   */
  long[] reportedOffsets() {
    Optional<String> text = readText(OFFSETS);
    if (text.isPresent()) {
      String[] parts = text.get().trim().split(" ");
      if (parts.length == 2 || parts.length == 3) {
        try {
          return new long[] {
            Long.parseLong(parts[0]),
            Long.parseLong(parts[1]),
            parts.length == 3 ? Long.parseLong(parts[2]) : 0
          };
        } catch (NumberFormatException e) {
          // unreadable: start over, which resends the output
        }
      }
    }
    return new long[] {0, 0, 0};
  }

  /** Records how far stdout and stderr were reported, and how many bytes were sent in all. */
  void writeReportedOffsets(long stdout, long stderr, long sentBytes) throws IOException {
    byte[] text =
        String.format(OFFSETS_FORMAT, stdout, stderr, sentBytes)
            .getBytes(StandardCharsets.US_ASCII);
    try (FileChannel file =
        FileChannel.open(
            dir.resolve(OFFSETS), StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
      file.write(ByteBuffer.wrap(text), 0);
    }
  }

  /** Records why and how the agent is stopping the task. */
  void writeStopState(Properties state) throws IOException {
    StringWriter text = new StringWriter();
    state.store(text, null);
    replace(STOP, text.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** What {@link #writeStopState} recorded; empty properties when nothing was. */
  Properties readStopState() {
    Properties state = new Properties();
    Optional<String> text = readText(STOP);
    if (text.isPresent()) {
      try {
        state.load(new StringReader(text.get()));
      } catch (IOException | IllegalArgumentException e) {
        return new Properties();
      }
    }
    return state;
  }

  /**
   * Marks the task's end as reported, so that no agent reports it again, and empties its output (it
   * was reported) to give the disk space back.
   *
   * @throws IOException when the mark cannot be made, or the output not emptied
   */
  void markReported() throws IOException {
    Path launch = dir.resolve(LAUNCH);
    Path reported = dir.resolve(REPORTED);
    try {
      Files.move(launch, reported, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(launch, reported);
    }
    for (Path output : List.of(stdout(), stderr())) {
      if (Files.exists(output)) {
        try (FileChannel file = FileChannel.open(output, StandardOpenOption.WRITE)) {
          file.truncate(0);
        }
      }
    }
  }

  /** Deletes everything: the recorded launch never happened. */
  void forget() throws IOException {
    deleteFiles();
  }

  private void deleteFiles() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
    }
  }

  private Optional<String> readText(String name) {
    try {
      return Optional.of(Files.readString(dir.resolve(name), StandardCharsets.ISO_8859_1));
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty(); // missing (the usual case) or unreadable: not written
    }
  }

  private static OptionalInt parseInt(String text) {
    try {
      return OptionalInt.of(Integer.parseInt(text.trim()));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  private void replace(String name, byte[] bytes) throws IOException {
    Path target = dir.resolve(name);
    Path temp = dir.resolve(name + ".tmp");
    Files.write(temp, bytes);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
