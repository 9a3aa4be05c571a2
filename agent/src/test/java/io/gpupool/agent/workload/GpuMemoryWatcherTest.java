package io.gpupool.agent.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpupool.agent.device.GpuProcessUsage;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class GpuMemoryWatcherTest {

  private static final long GIB = 1L << 30;

  private final FakeDeviceBackend backend = new FakeDeviceBackend();
  private Process child;
  private ProcessTree tree;
  private GpuMemoryWatcher watcher;

  @BeforeEach
  void startChild() throws Exception {
    child = new ProcessBuilder("sleep", "60").start();
    tree = new ProcessTree(child.toHandle());
    watcher = new GpuMemoryWatcher("t-1", backend, 0, 2 * GIB, tree::pids);
  }

  @AfterEach
  void stopChild() {
    child.destroyForcibly();
  }

  private int childPid() {
    return (int) child.pid();
  }

  @Test
  void aTaskWithinItsShareIsLeftAlone() {
    backend.processes = List.of(new GpuProcessUsage(childPid(), 2 * GIB));

    assertThat(watcher.check()).isEmpty();
  }

  @Test
  void aTaskOverItsShareIsReportedWithUsedAndShareInGib() {
    backend.processes = List.of(new GpuProcessUsage(childPid(), 3 * GIB));

    assertThat(watcher.check())
        .contains("GPU memory exceeded: the task used 3.00 GiB on GPU 0, its share is 2.00 GiB");
  }

  @Test
  void otherProcessesOnTheDeviceDoNotCount() {
    backend.processes =
        List.of(new GpuProcessUsage(childPid(), GIB), new GpuProcessUsage(1, 10 * GIB));

    assertThat(watcher.check()).isEmpty();
  }

  @Test
  void theTasksProcessesAreSummed() {
    GpuMemoryWatcher twoPids =
        new GpuMemoryWatcher("t-1", backend, 0, 2 * GIB, () -> Set.of(child.pid(), 4242L));
    backend.processes =
        List.of(new GpuProcessUsage(childPid(), GIB + 1), new GpuProcessUsage(4242, GIB));

    assertThat(twoPids.check()).isPresent();
  }

  @Test
  void unknownUsageAndDriverFailuresNeverStopATask() {
    backend.processes = List.of(new GpuProcessUsage(childPid(), -1));
    assertThat(watcher.check()).isEmpty();

    backend.failing = true;
    assertThat(watcher.check()).isEmpty();
  }
}
