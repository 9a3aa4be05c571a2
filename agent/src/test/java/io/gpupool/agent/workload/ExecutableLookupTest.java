package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ExecutableLookupTest {

  @TempDir Path dir;

  private Path file(String name, String permissions) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    return file;
  }

  @Test
  void findsProgramsOnThePathAndByPath() throws IOException {
    file("tool", "rwxr-xr-x");

    assertThat(ExecutableLookup.problem("tool", "/nonexistent:" + dir, dir)).isEmpty();
    assertThat(ExecutableLookup.problem(dir.resolve("tool").toString(), "", dir)).isEmpty();
    assertThat(ExecutableLookup.problem("./tool", "/nonexistent", dir)).isEmpty();
    assertThat(ExecutableLookup.problem("sh", null, dir)).as("the default PATH").isEmpty();
  }

  @Test
  void saysWhyAProgramCannotRun() throws IOException {
    file("plain", "rw-r--r--");

    assertThat(ExecutableLookup.problem("/nonexistent/program", "/usr/bin", dir))
        .hasValue("No such file or directory");
    assertThat(ExecutableLookup.problem("no-such-tool-here", dir.toString(), dir))
        .hasValue("No such file or directory (not found on the task's PATH)");
    assertThat(ExecutableLookup.problem("plain", dir.toString(), dir))
        .hasValue("Permission denied");
    assertThat(ExecutableLookup.problem("./plain", "", dir)).hasValue("Permission denied");
    assertThat(ExecutableLookup.problem(dir.toString(), "", dir))
        .as("a directory")
        .hasValue("Permission denied");
  }
}
