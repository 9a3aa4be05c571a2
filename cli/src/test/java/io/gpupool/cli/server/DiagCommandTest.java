package io.gpupool.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.cli.GpuPoolCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code gpupool diag} on a machine without an NVIDIA driver: a clear error and a failing exit
 * code, never simulated results. (On a GPU machine the agent's gpu-tagged tests run the same
 * diagnostics.)
 */
@Timeout(60)
class DiagCommandTest {
  @TempDir Path dir;

  @Test
  void withoutAnNvidiaDriverItFailsNamingTheLibraryItLookedFor() {
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new GpuPoolCommand());
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(out));

    int exit = cli.execute("diag", "--nvml-library", dir.resolve("libnvidia-ml.so.1").toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .contains("error: no NVIDIA driver found")
        .contains("libnvidia-ml.so.1");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void checksAreParsedByName() {
    DiagCommand command = new DiagCommand();
    new CommandLine(command).parseArgs("--checks", "bandwidth,fma", "--devices", "0,2");

    assertThat(command.checks).hasSize(2);
    assertThat(command.devices).containsExactly(0, 2);
  }
}
