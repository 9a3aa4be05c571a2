package io.gpupool.agent.workload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the agent reads from {@code /proc/<pid>/stat} (Linux) beyond what {@link ProcessHandle}
 * tells: whether a process is a zombie, and which processes are left in a dead supervisor's
 * session. Elsewhere it finds no zombies and no session members.
 *
 * <p>Stateless; thread-safe.
 */
final class ProcFs {

  private static final Path PROC = Path.of("/proc");

  private ProcFs() {}

  /**
   * True while the process runs: alive and not a zombie. A zombie holds no memory, GPU or files any
   * more; it waits for its parent (init, for the orphans of a task) to reap it, which some inits do
   * only every second or so.
   */
  static boolean isRunning(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    String[] fields = statFields(PROC.resolve(Long.toString(process.pid())));
    return fields == null || !fields[0].equals("Z");
  }

  /**
   * The running processes of the session that the dead supervisor with this pid led: the workload
   * and whatever it started, re-parented to init by now, which an agent that did not watch the task
   * has never seen as descendants. A session id is a pid number that the kernel does not hand out
   * again while any process is in that session, so the members found belong to the supervisor;
   * unless its pid names a live process now (not ours to judge): then, and when /proc cannot be
   * read, none.
   */
  static List<ProcessHandle> sessionLeftovers(long supervisorPid) {
    if (ProcessHandle.of(supervisorPid).map(ProcFs::isRunning).orElse(false)) {
      return List.of();
    }
    List<ProcessHandle> members = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
      for (Path entry : entries) {
        long pid = pidOf(entry.getFileName().toString());
        if (pid > 0 && pid != supervisorPid && sessionOf(entry) == supervisorPid) {
          ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(members::add);
        }
      }
    } catch (IOException | UncheckedIOException | SecurityException e) {
      return List.of();
    }
    return members;
  }

  private static long pidOf(String name) {
    if (name.isEmpty() || name.length() > 18) {
      return -1;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return -1;
      }
    }
    return Long.parseLong(name);
  }

  /** The session of a running process; -1 for a zombie, a vanished process or an odd line. */
  private static long sessionOf(Path procEntry) {
    String[] fields = statFields(procEntry);
    if (fields == null || fields.length < 4 || fields[0].equals("Z")) {
      return -1;
    }
    try {
      return Long.parseLong(fields[3]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The fields of stat after the command name: state, ppid, pgrp, session, ...; null when
   * unreadable.
   */
  private static String[] statFields(Path procEntry) {
    String line;
    try {
      // Latin-1 decodes any byte: the command name is whatever the process called itself.
      line = Files.readString(procEntry.resolve("stat"), StandardCharsets.ISO_8859_1);
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
    // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
    int close = line.lastIndexOf(')');
    return close < 0 ? null : line.substring(close + 1).trim().split(" ");
  }
}
