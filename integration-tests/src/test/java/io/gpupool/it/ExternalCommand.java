package io.gpupool.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs programs outside the JVM (buf, the gpupool launcher) and captures what they print. */
final class ExternalCommand {

  /** What a finished program printed and returned. */
  record Result(int exitCode, String stdout, String stderr) {}

  private ExternalCommand() {}

  static Path repoRoot() {
    return Path.of(System.getProperty("gpupool.repoRoot", "..")).toAbsolutePath().normalize();
  }

  /**
   * The buf CLI: $GPUPOOL_BUF, else buf on the PATH, else the copy .ci/run installs. Without it the
   * test is skipped, unless GPUPOOL_REQUIRE_BUF=1 (CI sets it) makes that a failure.
   */
  static Path buf() {
    Optional<Path> found =
        Optional.ofNullable(System.getenv("GPUPOOL_BUF")).map(Path::of).filter(Files::isExecutable);
    if (found.isEmpty()) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        Path candidate = Path.of(dir, "buf");
        if (!dir.isEmpty() && Files.isExecutable(candidate)) {
          found = Optional.of(candidate);
          break;
        }
      }
    }
    if (found.isEmpty()) {
      Path local = repoRoot().resolve(".ci/tools/node_modules/.bin/buf");
      found = Optional.of(local).filter(Files::isExecutable);
    }
    if (found.isEmpty()) {
      String message =
          "buf not found: install it with 'npm install --prefix .ci/tools @bufbuild/buf' or set"
              + " GPUPOOL_BUF";
      if ("1".equals(System.getenv("GPUPOOL_REQUIRE_BUF"))) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
    return found.get();
  }

  static Result run(List<String> command, long timeoutSeconds)
      throws IOException, InterruptedException {
    return run(command, Map.of(), timeoutSeconds);
  }

  /** Runs {@code command} with {@code env} added to this JVM's environment. */
  static Result run(List<String> command, Map<String, String> env, long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    CompletableFuture<String> out = readAll(process, true);
    CompletableFuture<String> err = readAll(process, false);
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw new AssertionError("timed out after " + timeoutSeconds + "s: " + command);
    }
    return new Result(process.exitValue(), out.join(), err.join());
  }

  static List<String> of(Object... parts) {
    List<String> list = new ArrayList<>();
    for (Object part : parts) {
      list.add(part.toString());
    }
    return list;
  }

  private static CompletableFuture<String> readAll(Process process, boolean stdout) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            byte[] bytes =
                (stdout ? process.getInputStream() : process.getErrorStream()).readAllBytes();
            return new String(bytes, StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        });
  }
}
