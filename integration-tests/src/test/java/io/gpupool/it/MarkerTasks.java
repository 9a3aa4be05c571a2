package io.gpupool.it;

import io.gpupool.client.TaskSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Numbered short tasks that each append one line to their own file when they end, so that a test
 * can tell from the files alone which tasks ran, and whether any ran twice or not at all. Each task
 * has the request id {@code PREFIX-i}, so that retried submits never create it twice.
 *
 * <p>Thread-safe: the files are the only state.
 */
final class MarkerTasks {
  private final Path dir;
  private final String prefix;
  private final String sleepSeconds;

  /**
   * @param dir where the tasks write their files; created if missing
   * @param prefix names the tasks and their request ids
   * @param runtime how long each task sleeps before it writes its line
   */
  MarkerTasks(Path dir, String prefix, Duration runtime) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.prefix = prefix;
    this.sleepSeconds = String.format(Locale.ROOT, "%.3f", runtime.toMillis() / 1000.0);
  }

  /** Task {@code i}: one GPU, sleeps, then appends {@code ran <attempt>} to its file. */
  TaskSpec spec(int i) {
    String script =
        "sleep " + sleepSeconds + "; echo \"ran $GPUPOOL_ATTEMPT\" >> " + file(i).toAbsolutePath();
    return TaskSpec.builder()
        .name(prefix + "-" + i)
        .requestId(prefix + "-" + i)
        .command("sh", "-c", script)
        .gpus(1)
        .build();
  }

  /** How many tasks have written their file (ended at least once). */
  int ended() {
    try (Stream<Path> files = Files.list(dir)) {
      return (int) files.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What is wrong with the files of tasks {@code 0..count-1}: one entry per task whose file is
   * missing or holds other than exactly one line; empty when each ran exactly once.
   */
  List<String> problems(int count) throws IOException {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Path file = file(i);
      if (!Files.exists(file)) {
        problems.add(prefix + "-" + i + ": never ran (no file)");
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      if (lines.size() != 1) {
        problems.add(prefix + "-" + i + ": " + lines.size() + " lines " + lines);
      }
    }
    return problems;
  }

  private Path file(int i) {
    return dir.resolve(prefix + "-" + i + ".out");
  }
}
